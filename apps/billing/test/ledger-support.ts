import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { MikroORM } from '@mikro-orm/postgresql';
import type { Polar } from '@polar-sh/sdk';
import type { Client } from 'pg';
import { ormConfig } from '@nomosly/db';
import { TEST_REDIS_URL, uniquePrefix } from '@nomosly/testing';
// eslint-disable-next-line @nx/enforce-module-boundaries, no-restricted-imports -- the usage app's own statement writes the records and their ledger rows, not a copy of it
import { UsageStore } from '../../usage/src/events/usage-store';

export const POLAR_TOKEN = 'polar_oat_ledger_e2e';
export const WEBHOOK_SECRET = `whsec_${Buffer.from('ledger-e2e-webhook-secret').toString('base64')}`;

/** How the tests' own SDK reader retries a connection the stand-in closed as idle (a keep-alive race under load). */
export const READER_RETRIES = {
  strategy: 'backoff',
  backoff: { initialInterval: 100, maxInterval: 1_000, exponent: 2, maxElapsedTime: 10_000 },
  retryConnectionErrors: true,
} as const;

/** The billing app's environment against `databaseUrl` and a Polar at `polarUrl`; `extra` overrides. */
export function billingEnv(databaseUrl: string, polarUrl: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    DATABASE_URL: databaseUrl,
    EVENTS_REDIS_URL: TEST_REDIS_URL,
    QUEUE_PREFIX: uniquePrefix('ledger'),
    POLAR_ACCESS_TOKEN: POLAR_TOKEN,
    POLAR_SERVER_URL: polarUrl,
    POLAR_WEBHOOK_SECRET: WEBHOOK_SECRET,
    POLAR_TIMEOUT_MS: '2000',
    BILLING_POLL_MS: '100',
    BILLING_RETRY_MAX_MS: '2000',
    BILLING_RECONCILE_CRON: '',
    ...extra,
  };
}

/** `count` workspaces, each owned by a user of its own, as the console makes them. */
export async function ownedWorkspaces(db: Client, count: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const workspaceId = randomUUID();
    const userId = randomUUID();
    await db.query('insert into users (id, email, name) values ($1, $2, $3)', [userId, `owner-${userId}@ledger.test`, 'Owner']);
    await db.query(`insert into workspaces (id, name) values ($1, 'ledger e2e')`, [workspaceId]);
    await db.query(`insert into memberships (workspace_id, user_id, role) values ($1, $2, 'owner')`, [workspaceId, userId]);
    ids.push(workspaceId);
  }
  return ids;
}

export interface UsageWriter {
  /** Writes usage records as the usage app does (UsageStore: the record and its ledger row in one statement); returns their event ids. */
  write(records: Array<{ workspaceId: string; units?: number; operation?: string; at?: Date }>): Promise<string[]>;
  close(): Promise<void>;
}

export async function usageWriter(databaseUrl: string): Promise<UsageWriter> {
  const orm = await MikroORM.init(ormConfig({ url: databaseUrl, poolSize: 2 }));
  const store = new UsageStore(orm.em);
  return {
    write: async (records) => {
      const usage = records.map((record) => ({
        event_id: `ev_${randomUUID()}`,
        workspace_id: record.workspaceId,
        user_id: randomUUID(),
        key_id: randomUUID(),
        operation: record.operation ?? 'faces.detect',
        units: record.units ?? 1,
        status: 200,
        latency_ms: 5,
        at: (record.at ?? new Date()).toISOString(),
      }));
      await store.write({ usage, requests: [], keyStamps: [] });
      return usage.map((row) => row.event_id);
    },
    close: () => orm.close(true),
  };
}

export interface PolarEvent {
  name: string;
  timestamp: Date;
  metadata: Record<string, unknown>;
}

/**
 * Every event Polar holds for a customer, read with the SDK's `events.list` page by page. The SDK's event model
 * (0.49) carries no `external_id`: which usage event each one is, the stand-in's own state tells.
 */
export async function polarEventsOf(polar: Polar, workspaceId: string): Promise<PolarEvent[]> {
  const events: PolarEvent[] = [];
  for (let page = 1; ; page++) {
    const result = await withReconnect(() => polar.events.list({ externalCustomerId: workspaceId, page, limit: 100 }));
    if (!('items' in result)) throw new Error('events.list answered without items');
    for (const item of result.items) events.push({ name: item.name, timestamp: item.timestamp, metadata: (item as { metadata?: Record<string, unknown> }).metadata ?? {} });
    const { pagination } = result;
    if (!('maxPage' in pagination) || page >= pagination.maxPage) return events;
  }
}

/** Runs a read again when the stand-in reset the connection (an idle keep-alive socket closed under the reader on a loaded machine). */
async function withReconnect<T>(read: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await read();
    } catch (error) {
      if (attempt >= 3 || !/ECONNRESET|fetch failed/.test(`${(error as Error).message} ${String((error as Error & { cause?: unknown }).cause)}`)) throw error;
    }
  }
}

/** A value of `name` on an app's /metrics with these labels (0 when absent). */
export async function metric(url: string, name: string, labels: Record<string, string> = {}): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const wanted = Object.entries(labels).map(([key, value]) => `${key}="${value}"`);
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    if (wanted.every((label) => line.includes(label))) return Number(line.split(' ').at(-1));
  }
  return 0;
}

/** One request that went through the proxy to Polar. */
export interface ProxiedCall {
  method: string;
  path: string;
  startedAt: number;
  /** When Polar's answer reached the proxy (undefined while it hangs, or when it never came). */
  answeredAt?: number;
  status?: number;
  /** For an ingest call: the external ids it carried. */
  externalIds: string[];
}

export interface RecordingProxy {
  url: string;
  calls: ProxiedCall[];
  ingests(): ProxiedCall[];
  close(): Promise<void>;
}

/**
 * An HTTP proxy in front of polar-local that records every call the billing app makes (method, path, timing,
 * status, the events of an ingest): what the ingest counts and the Retry-After pauses are read from.
 */
export async function recordingProxy(targetUrl: string): Promise<RecordingProxy> {
  const target = new URL(targetUrl);
  const calls: ProxiedCall[] = [];
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks);
      const path = (request.url ?? '/').split('?')[0] ?? '/';
      const call: ProxiedCall = { method: request.method ?? 'GET', path, startedAt: Date.now(), externalIds: [] };
      if (path === '/v1/events/ingest') {
        try {
          call.externalIds = (JSON.parse(body.toString('utf8')) as { events: Array<{ external_id: string }> }).events.map((event) => event.external_id);
        } catch {
          // not JSON: recorded without ids
        }
      }
      calls.push(call);
      const upstream = http.request(
        { host: target.hostname, port: target.port, method: request.method, path: request.url, headers: { ...request.headers, host: target.host } },
        (answer) => {
          call.status = answer.statusCode;
          call.answeredAt = Date.now();
          response.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(response);
        },
      );
      upstream.on('error', () => response.destroy());
      upstream.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    ingests: () => calls.filter((call) => call.path === '/v1/events/ingest'),
    close: () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      return closed;
    },
  };
}
