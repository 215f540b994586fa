import { randomUUID } from 'node:crypto';
import type { Queue } from 'bullmq';
import { Client } from 'pg';
import { type RunningApp, type TcpProxy, TEST_DATABASE_URL, TEST_REDIS_URL, deleteKeys, startApp, startTcpProxy, uniquePrefix, until, addUsage, eventsQueue, queueDrained, usageEvent } from '@nomosly/testing';

describe('usage app while Postgres is down', () => {
  const prefix = uniquePrefix('usage-outage');
  const workspaceId = randomUUID();
  const keyId = randomUUID();
  let proxy: TcpProxy;
  let app: RunningApp;
  let queue: Queue;
  let db: Client;

  beforeAll(async () => {
    db = new Client({ connectionString: TEST_DATABASE_URL });
    await db.connect();
    const direct = new URL(TEST_DATABASE_URL);
    proxy = await startTcpProxy({ targetHost: direct.hostname, targetPort: Number(direct.port || 5432) });
    queue = eventsQueue(prefix);
    app = await startApp('usage', { DATABASE_URL: proxy.url(TEST_DATABASE_URL), EVENTS_REDIS_URL: TEST_REDIS_URL, QUEUE_PREFIX: prefix, RETENTION_SWEEP_CRON: '' });
  });

  afterAll(async () => {
    await app?.stop();
    await proxy?.stop();
    await queue?.close();
    await deleteKeys(TEST_REDIS_URL, `${prefix}:*`);
    for (const table of ['usage_records', 'usage_daily']) await db.query(`delete from ${table} where workspace_id = $1`, [workspaceId]);
    await db.end();
  });

  it('P4: events whose batch failed are retried with backoff and recorded exactly once when Postgres is back', async () => {
    proxy.cut();
    const events = Array.from({ length: 40 }, (_, n) => usageEvent({ workspaceId, keyId, units: 1 + (n % 3), at: '2026-11-30T08:00:00.000Z' }));
    for (const event of events) await addUsage(queue, event);
    // Every job has failed at least once and waits for its retry: the outage is seen, nothing is lost.
    await until(async () => (await queue.getJobCounts('delayed')).delayed === events.length, { what: 'every job waiting for a retry', timeoutMs: 30_000 });
    expect(app.logs()).toMatch(/events was not written and will be retried/);
    expect((await db.query('select count(*)::int as n from usage_records where workspace_id = $1', [workspaceId])).rows[0].n).toBe(0);

    proxy.restore();
    await until(() => queueDrained(queue), { what: 'every retried job processed', timeoutMs: 30_000 });
    const records = await db.query('select count(*)::int as n, sum(units)::int as units from usage_records where workspace_id = $1', [workspaceId]);
    const rollup = await db.query('select calls::int, units::int from usage_daily where workspace_id = $1', [workspaceId]);
    const units = events.reduce((sum, event) => sum + event.units, 0);
    expect(records.rows[0]).toEqual({ n: 40, units });
    expect(rollup.rows).toEqual([{ calls: 40, units }]);
    expect((await queue.getJobCounts('failed')).failed).toBe(0);
    expect((await fetch(`${app.url}/readyz`)).status).toBe(200);
  });
});
