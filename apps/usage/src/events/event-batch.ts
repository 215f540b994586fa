import { EventName, type RequestEvent, type UsageEvent } from '@nomosly/contracts';

/** One validated event on its way to Postgres. */
export type EventItem = { name: typeof EventName.Usage; event: UsageEvent } | { name: typeof EventName.Request; event: RequestEvent };

export interface UsageRow {
  event_id: string;
  workspace_id: string;
  user_id: string;
  key_id: string;
  operation: string;
  units: number;
  status: number;
  latency_ms: number;
  at: string;
}

export interface RequestLogRow {
  request_id: string;
  workspace_id: string | null;
  at: string;
  ip: string;
  method: string;
  path: string;
  status: number;
  latency_ms: number;
  key_prefix: string | null;
}

export interface KeyStamp {
  id: string;
  at: string;
}

/** A batch of events as the rows they become; an event delivered twice in one batch appears once. */
export interface BatchRows {
  usage: UsageRow[];
  requests: RequestLogRow[];
  /** The latest call per key, ordered by key id so that concurrent writers lock keys in one order. */
  keyStamps: KeyStamp[];
}

export function rowsOf(items: readonly EventItem[]): BatchRows {
  const usage = new Map<string, UsageRow>();
  const requests = new Map<string, RequestLogRow>();
  const latestCall = new Map<string, { at: string; ms: number }>();
  for (const { name, event } of items) {
    if (name === EventName.Usage) {
      usage.set(event.eventId, {
        event_id: event.eventId,
        workspace_id: event.workspaceId,
        user_id: event.userId,
        key_id: event.keyId,
        operation: event.operation,
        units: event.units,
        status: event.status,
        latency_ms: Math.round(event.latencyMs),
        at: event.at,
      });
      const ms = Date.parse(event.at);
      const seen = latestCall.get(event.keyId);
      if (!seen || ms > seen.ms) latestCall.set(event.keyId, { at: event.at, ms });
    } else {
      requests.set(event.requestId, {
        request_id: event.requestId,
        workspace_id: event.workspaceId,
        at: event.at,
        ip: event.ip,
        method: event.method,
        path: event.path,
        status: event.status,
        latency_ms: Math.round(event.latencyMs),
        key_prefix: event.keyPrefix,
      });
    }
  }
  const keyStamps = [...latestCall.entries()].map(([id, { at }]) => ({ id, at })).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return { usage: [...usage.values()], requests: [...requests.values()], keyStamps };
}
