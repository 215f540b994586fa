import { randomUUID } from 'node:crypto';
import type { Queue } from 'bullmq';
import { Client } from 'pg';
import { hashApiKey } from '@nomosly/api-keys';
import { EVENT_JOB_OPTIONS, EventName, Operation, QueueName } from '@nomosly/contracts';
import { type RunningApp, TEST_DATABASE_URL, TEST_REDIS_URL, createKeyWithCli, deleteKeys, startApp, uniquePrefix, until, addRequest, addUsage, eventsQueue, queueDrained, requestEvent, testQueue, usageEvent } from '@nomosly/testing';

/** Once a year, at midnight on 1 January: never during a test run. */
const YEARLY = '0 0 1 1 *';

describe('usage app: events to records, rollups, request log and last-used stamps', () => {
  const prefix = uniquePrefix('usage');
  let app: RunningApp;
  let queue: Queue;
  let db: Client;
  const workspaces: string[] = [];
  const workspace = () => {
    const id = randomUUID();
    workspaces.push(id);
    return id;
  };
  const count = async (sql: string, params: unknown[]) => Number((await db.query<{ n: string }>(sql, params)).rows[0].n);

  beforeAll(async () => {
    db = new Client({ connectionString: TEST_DATABASE_URL });
    await db.connect();
    queue = eventsQueue(prefix);
    // A sweep schedule that never comes due during a run: the schedule is what is tested, not a sweep of the
    // database every suite shares.
    app = await startApp('usage', {
      DATABASE_URL: TEST_DATABASE_URL,
      EVENTS_REDIS_URL: TEST_REDIS_URL,
      QUEUE_PREFIX: prefix,
      USAGE_BATCH_WAIT_MS: '20',
      RETENTION_SWEEP_CRON: YEARLY,
    });
  });

  afterAll(async () => {
    await app?.stop();
    await queue?.close();
    await deleteKeys(TEST_REDIS_URL, `${prefix}:*`);
    for (const table of ['usage_records', 'usage_daily', 'request_log', 'billing_ledger']) await db.query(`delete from ${table} where workspace_id = any($1::uuid[])`, [workspaces]);
    await db.query('delete from workspaces where id = any($1::uuid[])', [workspaces]);
    await db.query(`delete from users where email like 'usage-%@usage.test'`);
    await db.end();
  });

  it('P4: a usage event becomes exactly one usage record and one rollup call', async () => {
    const event = usageEvent({ workspaceId: workspace(), operation: Operation.LabelsDetect, units: 3, latencyMs: 87, at: '2026-11-30T23:59:59.999Z' });
    // A user who exists: the record of a user purged since the call names no one (P7).
    await db.query('insert into users (id, email) values ($1, $2)', [event.userId, `usage-${event.userId}@usage.test`]);
    await addUsage(queue, event);
    await until(async () => (await count('select count(*) as n from usage_records where event_id = $1', [event.eventId])) === 1, { what: 'the record' });
    const record = (await db.query('select * from usage_records where event_id = $1', [event.eventId])).rows[0];
    expect(record).toEqual({
      event_id: event.eventId,
      workspace_id: event.workspaceId,
      user_id: event.userId,
      key_id: event.keyId,
      operation: 'labels.detect',
      units: 3,
      status: 200,
      latency_ms: 87,
      at: new Date(event.at),
    });
    const rollups = await db.query('select key_id, operation, day::text as day, calls, units from usage_daily where workspace_id = $1', [event.workspaceId]);
    expect(rollups.rows).toEqual([{ key_id: event.keyId, operation: 'labels.detect', day: '2026-11-30', calls: '1', units: '3' }]);
  });

  it('P4: the same event delivered again, even under other job ids and after it was recorded, is recorded and counted once', async () => {
    const event = usageEvent({ workspaceId: workspace(), units: 2 });
    await addUsage(queue, event);
    await addUsage(queue, event, 'redelivered-1');
    await until(async () => (await count('select count(*) as n from usage_records where event_id = $1', [event.eventId])) === 1, { what: 'the record' });
    await addUsage(queue, event, 'redelivered-2');
    await until(() => queueDrained(queue), { what: 'every delivery processed' });
    expect(await count('select count(*) as n from usage_records where event_id = $1', [event.eventId])).toBe(1);
    const rollup = await db.query('select calls, units from usage_daily where workspace_id = $1', [event.workspaceId]);
    expect(rollup.rows).toEqual([{ calls: '1', units: '2' }]);
    expect((await queue.getJobCounts('failed')).failed).toBe(0);
  });

  it('rolls up many events for several keys, operations and days exactly', async () => {
    const workspaceId = workspace();
    const keys = [randomUUID(), randomUUID(), randomUUID()];
    const days = ['2026-11-28', '2026-11-29', '2026-11-30'];
    const operations = [Operation.FacesDetect, Operation.TextDetect];
    const events = Array.from({ length: 600 }, (_, n) =>
      usageEvent({
        workspaceId,
        keyId: keys[n % 3],
        operation: operations[n % 2],
        units: 1 + (n % 4),
        at: `${days[n % 3 === 0 ? n % 2 : (n >> 1) % 3]}T${String(n % 24).padStart(2, '0')}:30:00.000Z`,
      }),
    );
    const expected = new Map<string, { calls: number; units: number }>();
    for (const event of events) {
      const key = `${event.keyId}|${event.operation}|${event.at.slice(0, 10)}`;
      const sum = expected.get(key) ?? { calls: 0, units: 0 };
      expected.set(key, { calls: sum.calls + 1, units: sum.units + event.units });
    }
    await queue.addBulk(events.map((event) => ({ name: EventName.Usage, data: event, opts: { ...EVENT_JOB_OPTIONS, jobId: `bulk-${event.eventId}` } })));
    await until(async () => (await count('select count(*) as n from usage_records where workspace_id = $1', [workspaceId])) === 600, {
      what: '600 records',
      timeoutMs: 30_000,
    });
    const rows = await db.query<{ key_id: string; operation: string; day: string; calls: string; units: string }>(
      'select key_id, operation, day::text as day, calls, units from usage_daily where workspace_id = $1',
      [workspaceId],
    );
    const actual = new Map(rows.rows.map((row) => [`${row.key_id}|${row.operation}|${row.day}`, { calls: Number(row.calls), units: Number(row.units) }]));
    expect(actual).toEqual(expected);
  });

  it('P2: writes request events to the request log with their fields only, refused calls and unknown workspaces included', async () => {
    const refused = requestEvent({ workspaceId: workspace(), status: 429, keyPrefix: null });
    // A workspace that exists: a purged one's requests are not logged (P7).
    await db.query(`insert into workspaces (id, name) values ($1, 'usage e2e')`, [refused.workspaceId]);
    const anonymous = requestEvent({ workspaceId: null, keyPrefix: null, status: 401, path: '/v1/faces/detect' });
    await addRequest(queue, refused);
    await addRequest(queue, anonymous);
    await until(async () => (await count('select count(*) as n from request_log where request_id = any($1)', [[refused.requestId, anonymous.requestId]])) === 2, {
      what: 'two request-log rows',
    });
    const row = (await db.query('select * from request_log where request_id = $1', [anonymous.requestId])).rows[0];
    expect(row).toEqual({
      request_id: anonymous.requestId,
      workspace_id: null,
      at: new Date(anonymous.at),
      ip: '203.0.113.7',
      method: 'POST',
      path: '/v1/faces/detect',
      status: 401,
      latency_ms: 3,
      key_prefix: null,
    });
    await db.query('delete from request_log where request_id = $1', [anonymous.requestId]);
  });

  it("P3: stamps each key's last use (key metadata) with its latest call, never moving it back", async () => {
    const secret = createKeyWithCli(TEST_DATABASE_URL, `usage-${randomUUID()}@nomosly.local`);
    const key = (await db.query('select id, workspace_id, created_by_id from api_keys where hash = $1', [hashApiKey(secret)])).rows[0];
    workspaces.push(key.workspace_id);
    const call = (at: string) => usageEvent({ workspaceId: key.workspace_id, userId: key.created_by_id, keyId: key.id, at });
    await addUsage(queue, call('2026-11-30T10:00:00.000Z'));
    await addUsage(queue, call('2026-11-30T12:00:00.000Z'));
    await until(async () => (await count('select count(*) as n from usage_records where key_id = $1', [key.id])) === 2, { what: 'two records' });
    await addUsage(queue, call('2026-11-30T11:00:00.000Z'));
    await until(async () => (await count('select count(*) as n from usage_records where key_id = $1', [key.id])) === 3, { what: 'the late record' });
    const stamped = (await db.query('select last_used_at from api_keys where id = $1', [key.id])).rows[0];
    expect(stamped.last_used_at).toEqual(new Date('2026-11-30T12:00:00.000Z'));
  });

  it('P2: fails an invalid or unknown job at once, without retries, logging no payload value, and keeps recording', async () => {
    const marker = `marker-${randomUUID()}`;
    const invalid = await queue.add(EventName.Usage, { ...usageEvent(), units: 0, keyId: marker }, EVENT_JOB_OPTIONS);
    const unknown = await queue.add('usage.refunded', { eventId: marker }, EVENT_JOB_OPTIONS);
    await until(async () => (await queue.getJobCounts('failed')).failed === 2, { what: 'two failed jobs' });
    for (const job of [invalid, unknown]) {
      const failed = await queue.getJob(job.id as string);
      expect(failed?.attemptsMade).toBe(1);
    }
    const messages = app
      .logs()
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => (JSON.parse(line) as { msg: string }).msg);
    expect(messages).toContain(`rejected invalid event job "usage.recorded": keyId: invalid_format; units: too_small (job ${invalid.id}); it is failed without retry`);
    expect(messages).toContain(`rejected invalid event job "usage.refunded": unknown event name (job ${unknown.id}); it is failed without retry`);
    expect(app.logs()).not.toContain(marker);

    const valid = usageEvent({ workspaceId: workspace() });
    await addUsage(queue, valid);
    await until(async () => (await count('select count(*) as n from usage_records where event_id = $1', [valid.eventId])) === 1, { what: 'the record' });
    expect((await fetch(`${app.url}/readyz`)).status).toBe(200);
  });

  it('P6: schedules the retention sweep on the maintenance queue, from RETENTION_SWEEP_CRON', async () => {
    const maintenance = testQueue(QueueName.Maintenance, prefix);
    try {
      const schedulers = await maintenance.getJobSchedulers();
      expect(schedulers).toEqual([expect.objectContaining({ key: 'retention-sweep', name: 'retention.sweep', pattern: YEARLY, tz: 'UTC' })]);
    } finally {
      await maintenance.close();
    }
  });
});
