import http from 'node:http';
import { Client } from 'pg';
import { TEST_DATABASE_URL, eventsQueue, queueDrained, until } from '@nomosly/testing';

/** What a client saw of one call: an HTTP answer, or the error that stood for it (`status` 0). */
export interface Answer {
  gateway: string;
  startedAt: number;
  endedAt: number;
  status: number;
  requestId: string | null;
  retryAfter: string | null;
  /** API.md's `error.code`, for an error answer. */
  code: string | null;
  /** The socket error's code (ECONNREFUSED, ECONNRESET...) when no answer came. */
  error: string | null;
}

/**
 * One faces.detect call with `image` as the raw body, on a connection of its own (`connection: close`): each call
 * reaches the gateway that is picked for it, as through a load balancer, and no idle kept-alive connection is
 * involved.
 */
export function detectOnce(gatewayUrl: string, key: string, image: Buffer, timeoutMs = 120_000): Promise<Answer> {
  const target = new URL(`${gatewayUrl}/v1/faces/detect`);
  const startedAt = Date.now();
  return new Promise((resolve) => {
    const answer = (fields: Partial<Answer>) =>
      resolve({ gateway: gatewayUrl, startedAt, endedAt: Date.now(), status: 0, requestId: null, retryAfter: null, code: null, error: null, ...fields });
    const request = http.request(
      {
        host: target.hostname,
        port: target.port,
        path: target.pathname,
        method: 'POST',
        agent: false,
        timeout: timeoutMs,
        headers: { authorization: `Bearer ${key}`, 'content-type': 'image/png', 'content-length': String(image.length), connection: 'close' },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('error', (error: NodeJS.ErrnoException) => answer({ error: error.code ?? error.message }));
        response.on('end', () => {
          let code: string | null = null;
          try {
            code = (JSON.parse(Buffer.concat(chunks).toString('utf8')) as { error?: { code?: string } }).error?.code ?? null;
          } catch {
            code = 'not_json';
          }
          answer({
            status: response.statusCode ?? 0,
            requestId: (response.headers['x-request-id'] as string | undefined) ?? null,
            retryAfter: (response.headers['retry-after'] as string | undefined) ?? null,
            code,
          });
        });
      },
    );
    request.on('timeout', () => request.destroy(Object.assign(new Error('client timeout'), { code: 'CLIENT_TIMEOUT' })));
    request.on('error', (error: NodeJS.ErrnoException) => answer({ error: error.code ?? error.message }));
    request.end(image);
  });
}

/** The answers that are neither a 200 nor API.md's 503 `unavailable` with Retry-After: none may exist. */
export function undocumentedAnswers(answers: readonly Answer[]): Answer[] {
  return answers.filter(
    (answer) => !(answer.status === 200 || (answer.status === 503 && answer.code === 'unavailable' && Number(answer.retryAfter) >= 1)),
  );
}

/**
 * Waits until the usage app has recorded the events on the events queue of `prefix` (the queue drained and at
 * least `expected` rows), then returns the workspace's usage rows: event ids, and the calls in its daily rollups.
 */
export async function usageRowsOf(
  prefix: string,
  eventsRedisUrl: string,
  workspaceId: string,
  expected: number,
): Promise<{ eventIds: string[]; dailyCalls: number }> {
  const db = new Client({ connectionString: TEST_DATABASE_URL });
  await db.connect();
  const events = eventsQueue(prefix, eventsRedisUrl);
  events.on('error', () => undefined);
  try {
    const records = async () =>
      (await db.query<{ event_id: string }>('select event_id from usage_records where workspace_id = $1', [workspaceId])).rows.map((row) => row.event_id);
    // On a timeout the caller's assertions say what differs.
    await until(async () => (await queueDrained(events)) && (await records()).length >= expected, {
      what: 'the usage app recording every usage event',
      timeoutMs: 60_000,
      intervalMs: 250,
    }).catch(() => undefined);
    const daily = await db.query<{ calls: string }>('select coalesce(sum(calls), 0)::text as calls from usage_daily where workspace_id = $1', [workspaceId]);
    return { eventIds: await records(), dailyCalls: Number(daily.rows[0].calls) };
  } finally {
    await events.close();
    await db.end();
  }
}

/** Removes a finished test's usage rows. */
export async function deleteUsageRows(workspaceId: string): Promise<void> {
  const db = new Client({ connectionString: TEST_DATABASE_URL });
  await db.connect();
  try {
    for (const table of ['usage_records', 'usage_daily', 'request_log']) {
      await db.query(`delete from ${table} where workspace_id = $1`, [workspaceId]);
    }
  } finally {
    await db.end();
  }
}
