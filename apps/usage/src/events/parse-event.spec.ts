import { randomUUID } from 'node:crypto';
import { EventName } from '@nomosly/contracts';
import { usageEvent } from '@nomosly/testing';
import { rowsOf } from './event-batch';
import { assertEveryEventHandled, EVENT_HANDLERS } from './event-handlers';
import { InvalidEventError, parseEvent } from './parse-event';

const usage = (overrides: Record<string, unknown> = {}) => ({ ...usageEvent({ latencyMs: 12.6, at: '2026-12-01T10:00:00.000Z' }), ...overrides });

describe('event handlers', () => {
  it('cover every event name exactly once', () => {
    expect(() => assertEveryEventHandled()).not.toThrow();
  });

  it('refuse to start with a name unhandled, a handler for no name, or two names sharing one handler', () => {
    const { [EventName.Request]: _request, ...withoutRequest } = EVENT_HANDLERS;
    expect(() => assertEveryEventHandled(withoutRequest)).toThrow(/missing \[request\.logged\]/);
    expect(() => assertEveryEventHandled({ ...EVENT_HANDLERS, 'usage.refunded': () => undefined })).toThrow(/unknown \[usage\.refunded\]/);
    expect(() => assertEveryEventHandled(EVENT_HANDLERS, [EventName.Usage, EventName.Request, EventName.Usage])).toThrow(
      /handled twice \[usage\.recorded\]/,
    );
  });
});

describe('parseEvent', () => {
  it('accepts a valid usage event', () => {
    const event = usage();
    expect(parseEvent(EventName.Usage, event)).toEqual({ name: EventName.Usage, event });
  });

  it('refuses an unknown job name', () => {
    expect(() => parseEvent('usage.deleted', usage())).toThrow(InvalidEventError);
  });

  it('refuses an invalid payload naming the fields and issue kinds, never the values', () => {
    let error: unknown;
    try {
      parseEvent(EventName.Usage, usage({ units: 0, workspaceId: 'secret-looking-value' }));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InvalidEventError);
    expect((error as InvalidEventError).problems).toEqual(['workspaceId: invalid_format', 'units: too_small']);
    expect((error as Error).message).not.toContain('secret-looking-value');
  });
});

describe('rowsOf', () => {
  it('keeps one row per event id, rounds latency, and stamps each key with its latest call', () => {
    const keyId = randomUUID();
    const first = usage({ keyId, at: '2026-12-01T10:00:00.000Z' });
    const later = usage({ keyId, at: '2026-12-01T11:00:00.000Z' });
    const rows = rowsOf([first, first, later].map((event) => parseEvent(EventName.Usage, event)));
    expect(rows.usage.map((row) => row.event_id)).toEqual([first.eventId, later.eventId]);
    expect(rows.usage[0].latency_ms).toBe(13);
    expect(rows.keyStamps).toEqual([{ id: keyId, at: later.at }]);
  });
});
