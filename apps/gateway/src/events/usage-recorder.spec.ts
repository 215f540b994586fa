import type { FastifyReply, FastifyRequest } from 'fastify';
import { EventName, Operation, usageEventSchema, type UsageEvent } from '@nomosly/contracts';
import type { ResolvedKey } from '../auth/resolved-key';
import { GatewayMetrics } from '../metrics';
import type { EventsQueue } from './events-queue';
import { type BillableCall, UsageRecorder } from './usage-recorder';

const key = {
  keyId: '0b6f0d6e-8f5c-4f39-9d1e-0d7f6b0e1a11',
  workspaceId: '1c7a1e7f-9a6d-4a4a-8e2f-1e8a7c1f2b22',
  userId: '2d8b2f80-ab7e-4b5b-9f30-2f9b8d203c33',
} as ResolvedKey;
const call: BillableCall = { key, operation: Operation.FacesDetect, units: 1 };
const body = JSON.stringify({ requestId: 'req-1', operation: 'faces.detect', units: 1, faces: [] });

/** The part of a Fastify reply that onSend may change, recording what it was told. */
function fakeReply(statusCode = 200) {
  const headers: Record<string, string> = { 'content-type': 'application/json; charset=utf-8' };
  const reply = {
    statusCode,
    elapsedTime: 12.6,
    code(status: number) {
      reply.statusCode = status;
      return reply;
    },
    header(name: string, value: string) {
      headers[name.toLowerCase()] = value;
      return reply;
    },
    headers(values: Record<string, string>) {
      for (const [name, value] of Object.entries(values)) headers[name.toLowerCase()] = value;
      return reply;
    },
  };
  return { reply, headers };
}

const request = (destroyed = false) => ({ id: 'req-1', raw: { socket: { destroyed } } }) as unknown as FastifyRequest;

function recorderWith(add: (name: string, event: unknown) => Promise<void>, retryMs = 200) {
  return new UsageRecorder({ add } as unknown as EventsQueue, new GatewayMetrics(), { USAGE_EVENT_RETRY_MS: retryMs });
}

describe('UsageRecorder (P4: a 2xx the client sees <=> one usage event queued)', () => {
  it('P4: queues one usage event that meets the contract and lets the 200 through unchanged', async () => {
    const added: Array<[string, UsageEvent]> = [];
    const recorder = recorderWith(async (name, event) => void added.push([name, event as UsageEvent]));
    const { reply, headers } = fakeReply();
    const sent = await recorder.settle(request(), reply as unknown as FastifyReply, call, body);
    expect(sent).toBe(body);
    expect(reply.statusCode).toBe(200);
    expect(headers['retry-after']).toBeUndefined();
    expect(added).toHaveLength(1);
    const [name, event] = added[0];
    expect(name).toBe(EventName.Usage);
    expect(usageEventSchema.parse(event)).toEqual({
      eventId: 'req-1',
      workspaceId: key.workspaceId,
      userId: key.userId,
      keyId: key.keyId,
      operation: 'faces.detect',
      units: 1,
      status: 200,
      latencyMs: 13,
      at: expect.any(String),
    });
  });

  it('P4: when the event cannot be queued, the 200 becomes 503 unavailable with Retry-After, and the result is not sent', async () => {
    const recorder = recorderWith(() => Promise.reject(new Error('Stream isn\'t writeable')));
    const { reply, headers } = fakeReply();
    const sent = await recorder.settle(request(), reply as unknown as FastifyReply, call, body);
    expect(reply.statusCode).toBe(503);
    expect(headers['retry-after']).toMatch(/^\d+$/);
    expect(headers['content-type']).toBe('application/json; charset=utf-8');
    expect(JSON.parse(sent as string)).toEqual({
      error: { code: 'unavailable', message: expect.any(String), requestId: 'req-1' },
    });
    expect(sent).not.toContain('faces');
  });

  it('P4: a failed add is tried again with the same event, and the 200 goes out once it is queued', async () => {
    const attempts: unknown[] = [];
    const recorder = recorderWith(async (_name, event) => {
      attempts.push(event);
      if (attempts.length < 3) throw new Error('Connection is closed.');
    }, 5_000);
    const { reply } = fakeReply();
    expect(await recorder.settle(request(), reply as unknown as FastifyReply, call, body)).toBe(body);
    expect(reply.statusCode).toBe(200);
    expect(attempts).toHaveLength(3);
    expect(new Set(attempts.map((event) => JSON.stringify(event))).size).toBe(1);
  });

  it('P4: refused answers (not 2xx) queue nothing and are sent as they are', async () => {
    const add = jest.fn(async () => undefined);
    const recorder = recorderWith(add);
    for (const status of [400, 413, 503, 504]) {
      const { reply } = fakeReply(status);
      expect(await recorder.settle(request(), reply as unknown as FastifyReply, call, 'error body')).toBe('error body');
      expect(reply.statusCode).toBe(status);
    }
    expect(add).not.toHaveBeenCalled();
  });

  it('P4: an answer whose client has already gone is not billed: no event, and it is no longer a 2xx (so it is refunded)', async () => {
    const add = jest.fn(async () => undefined);
    const { reply } = fakeReply();
    await recorderWith(add).settle(request(true), reply as unknown as FastifyReply, call, body);
    expect(add).not.toHaveBeenCalled();
    expect(reply.statusCode).toBe(499);
  });
});
