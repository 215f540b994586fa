import { EVENT_NAMES, EVENT_SCHEMAS, type EventName, type EventOf } from '@nomosly/contracts';
import type { EventItem } from './event-batch';
import { EVENT_HANDLERS } from './event-handlers';

/** A job this consumer can never process: unknown name or a payload its schema refuses. Retrying cannot help. */
export class InvalidEventError extends Error {
  constructor(
    readonly eventName: string,
    /** Where the payload is wrong and how (paths and zod issue codes), never the values it holds. */
    readonly problems: readonly string[],
  ) {
    super(`invalid event job "${eventName}": ${problems.join('; ')}`);
    this.name = 'InvalidEventError';
  }
}

function isEventName(name: string): name is EventName {
  return (EVENT_NAMES as readonly string[]).includes(name);
}

/** Validates a job at this end too (the producer validated it before adding) and turns it into a batch item. */
export function parseEvent(name: string, data: unknown): EventItem {
  if (!isEventName(name)) throw new InvalidEventError(name.slice(0, 64), ['unknown event name']);
  const parsed = EVENT_SCHEMAS[name].safeParse(data);
  if (!parsed.success) {
    throw new InvalidEventError(
      name,
      parsed.error.issues.map((issue) => `${issue.path.join('.') || '(payload)'}: ${issue.code}`),
    );
  }
  return itemOf(name, parsed.data);
}

function itemOf<N extends EventName>(name: N, event: EventOf<N>): EventItem {
  return (EVENT_HANDLERS[name] as (event: EventOf<N>) => EventItem)(event);
}
