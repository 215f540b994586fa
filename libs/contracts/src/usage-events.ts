import { z } from 'zod';
import { Operation } from './operations';

/**
 * The events queue on the durable events Redis (EVENTS_REDIS_URL): the gateway adds, the usage app consumes.
 * Two job names on one queue; a job's id is its name and the request id, so that adding the same event twice
 * (a retried add after a lost reply) stores it once.
 */
export const EventName = Object.freeze({
  /** One billable call (2xx), added before its response is sent: P4's "exactly one usage record". */
  Usage: 'usage.recorded',
  /** Every request, refused ones included: the workspace's request log (P2's fields only). */
  Request: 'request.logged',
} as const);
export type EventName = (typeof EventName)[keyof typeof EventName];
export const EVENT_NAMES: readonly EventName[] = Object.freeze(Object.values(EventName));

const requestId = z.string().min(1).max(128);
const at = z.iso.datetime({ offset: true });
const latencyMs = z.number().min(0).max(3_600_000);

export const usageEventSchema = z.object({
  /** The request id: the usage record's primary key, so that a redelivered event is recorded once. */
  eventId: requestId,
  workspaceId: z.uuid(),
  /** The user the key belongs to (its creator). */
  userId: z.uuid(),
  keyId: z.uuid(),
  operation: z.enum(Operation),
  /** Bounded well inside the record's integer column, so one event can never fail a whole batch's insert. */
  units: z.number().int().positive().max(1_000_000),
  status: z.number().int().min(200).max(299),
  latencyMs,
  at,
});
export type UsageEvent = z.infer<typeof usageEventSchema>;

export const requestEventSchema = z.object({
  requestId,
  /** The key's workspace when a key was recognised; null for requests no workspace can be told of. */
  workspaceId: z.uuid().nullable(),
  at,
  ip: z.string().max(64),
  method: z.string().min(1).max(16),
  path: z.string().min(1).max(2048),
  status: z.number().int().min(100).max(599),
  latencyMs,
  keyPrefix: z.string().max(16).nullable(),
});
export type RequestEvent = z.infer<typeof requestEventSchema>;

/** Each job name's payload: producers and the consumer's handler table are held to it. */
export interface EventJobMap {
  [EventName.Usage]: UsageEvent;
  [EventName.Request]: RequestEvent;
}
export type EventOf<N extends EventName> = EventJobMap[N];

export const EVENT_SCHEMAS: { readonly [N in EventName]: z.ZodType<EventJobMap[N]> } = Object.freeze({
  [EventName.Usage]: usageEventSchema,
  [EventName.Request]: requestEventSchema,
});

/** BullMQ job ids may not contain ':'; `<name>-<request id>` is unique per event. */
export function eventJobId(name: EventName, id: string): string {
  return `${name}-${id}`.replace(/:/g, '_');
}
