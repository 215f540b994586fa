import { EventName, QueueName, eventJobId } from '@nomosly/contracts';
import { type Queue, QueueEvents } from 'bullmq';
import { Client } from 'pg';
import { type RunningApp, TEST_DATABASE_URL, TEST_REDIS_URL, addUsage, deleteKeys, eventsQueue, startApp, terminate, uniquePrefix, until, usageEvent } from '@nomosly/testing';

/**
 * Issue 17, "never lost": a usage process stopped at its shutdown deadline with an event job in hand (its batch
 * waits on a row lock the test holds) leaves the job active; once its lock lapses another usage process takes it
 * back as stalled and records the event exactly once.
 */
describe('P4: usage: an event job in hand at the shutdown deadline (issue 17)', () => {
  const prefix = uniquePrefix('usage-stalled');
  const redisUrl = new URL(TEST_REDIS_URL);
  // Short lock and stalled check, so that BullMQ's recovery fits in a test; a deadline well past the batch's wait.
  const env = {
    DATABASE_URL: TEST_DATABASE_URL,
    EVENTS_REDIS_URL: TEST_REDIS_URL,
    QUEUE_PREFIX: prefix,
    RETENTION_SWEEP_CRON: '',
    QUEUE_LOCK_MS: '2000',
    QUEUE_STALLED_CHECK_MS: '500',
    SHUTDOWN_TIMEOUT_MS: '3000',
  };
  let queue: Queue;
  let events: QueueEvents;
  let db: Client;
  let blocker: Client;
  const apps: RunningApp[] = [];

  beforeAll(async () => {
    queue = eventsQueue(prefix);
    events = new QueueEvents(QueueName.Events, { connection: { host: redisUrl.hostname, port: Number(redisUrl.port || 6379) }, prefix });
    db = new Client({ connectionString: TEST_DATABASE_URL });
    blocker = new Client({ connectionString: TEST_DATABASE_URL });
    await Promise.all([db.connect(), blocker.connect()]);
  });
  afterAll(async () => {
    for (const app of apps) await app.kill();
    await blocker?.end();
    await events?.close();
    await queue?.close();
    await deleteKeys(TEST_REDIS_URL, `${prefix}:*`);
    await db?.end();
  });

  it('exits 1 at the deadline; the job returns as stalled and another process records the event exactly once', async () => {
    const event = usageEvent();
    const jobId = eventJobId(EventName.Usage, event.eventId);
    // The same event id, inserted and not committed: the app's insert waits on it, so its batch cannot finish.
    await blocker.query('begin');
    await blocker.query(
      `insert into usage_records (event_id, workspace_id, user_id, key_id, operation, units, status, latency_ms, at) values ($1, $2, $3, $4, $5, 1, 200, 1, now())`,
      [event.eventId, event.workspaceId, event.userId, event.keyId, event.operation],
    );
    // What BullMQ reports of the job: moved back from stalled, completed (it is then removed, as every event job is).
    const stalled: string[] = [];
    const completed: string[] = [];
    events.on('stalled', ({ jobId: id }) => stalled.push(id));
    events.on('completed', ({ jobId: id }) => completed.push(id));
    await events.waitUntilReady();
    const first = await startApp('usage', env);
    apps.push(first);
    await addUsage(queue, event);
    await until(
      async () =>
        (await db.query(`select count(*)::int as n from pg_stat_activity where wait_event_type = 'Lock' and query like '%insert into usage_records%' and pid <> pg_backend_pid()`)).rows[0].n > 0,
      { what: 'the batch waiting on the held row', timeoutMs: 20_000 },
    );

    const stopped = await terminate(first);
    expect(stopped.code).toBe(1);
    expect(first.logs()).toMatch(/"event":"shutdown_timed_out"/);
    expect(await queue.getJobState(jobId)).toBe('active');
    await blocker.query('rollback');

    const second = await startApp('usage', env);
    apps.push(second);
    await until(async () => completed.includes(jobId), { what: 'the stalled job completed by the second process', timeoutMs: 30_000 });
    expect(stalled).toEqual([jobId]);
    expect(completed).toEqual([jobId]);
    const records = await db.query('select count(*)::int as n from usage_records where event_id = $1', [event.eventId]);
    expect(records.rows[0].n).toBe(1);
    // Processed once by the second process: one event stored, none seen as a duplicate.
    const metrics = await (await fetch(`${second.url}/metrics`)).text();
    expect(metrics).toMatch(/^usage_events_total\{event="usage.recorded",outcome="stored",service="usage"\} 1$/m);
    expect(metrics).toMatch(/^usage_events_total\{event="usage.recorded",outcome="duplicate",service="usage"\} 0$/m);
    expect((await terminate(second)).code).toBe(0);
    await db.query('delete from billing_ledger where event_id = $1', [event.eventId]);
    await db.query('delete from usage_daily where workspace_id = $1', [event.workspaceId]);
    await db.query('delete from usage_records where event_id = $1', [event.eventId]);
  }, 90_000);
});
