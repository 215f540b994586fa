import Redis from 'ioredis';
import { Client } from 'pg';
import {
  type RedisServer,
  type RunningApp,
  type TcpProxy,
  type TestSystem,
  TEST_DATABASE_URL,
  TEST_REDIS_URL,
  fixture,
  startApp,
  startRedisServer,
  startTcpProxy,
  startTestSystem,
  until,
  workerOf,
  eventsQueue,
  queueDrained,
} from '@nomosly/testing';

/**
 * P4: every billable call yields exactly one usage record, and no record exists without a call, through the
 * faults a deployment lives with. A bounded load runs against a gateway while, in turn, the vision worker is
 * killed in the middle of jobs, then PostgreSQL is unreachable for the usage app for 10 s and meanwhile, with
 * the events of those seconds waiting in it, the events Redis is killed (SIGKILL) and started again. Every response the client saw is recorded; afterwards the 2xx responses and the usage rows must match
 * one for one, by request id.
 *
 * The parts under test: the gateway (adds one `usage.recorded` event per 2xx to the events queue before it
 * answers, or answers 503), the usage app (records each event once, by event id, with its daily rollup in the
 * same transaction, retrying while PostgreSQL is away). The harness: the events Redis is a redis-server of this
 * test's own, run as production runs it (docker-compose.yml, npm start: AOF with `appendfsync everysec`), so it can
 * be killed without disturbing other tests. A process kill loses no write Redis acknowledged: each is written to
 * the AOF (the kernel's page cache) before its reply; only a host crash can lose the last second's, as
 * docs/architecture.md (P4) states with what the gateway's retry covers. The usage app reaches PostgreSQL
 * through a TCP proxy that can cut it off alone; the vision Redis is the test run's own (TEST_REDIS_URL).
 */

/** How long the gateway waits for a vision result before 504. Short, so that killed jobs end within the load. */
const VISION_DEADLINE_MS = 5_000;
/** Each client request's own deadline: the gateway's plus a margin for a loaded 2-core machine. */
const CLIENT_DEADLINE_MS = VISION_DEADLINE_MS + 5_000;
/** Each job takes this long on the null engine: long enough that a worker kill lands in the middle of jobs. */
const ENGINE_DELAY_MS = 400;
const CLIENTS = 6;
const POSTGRES_DOWN_MS = 10_000;
/** A hard bound on the load, whatever happens to the fault sequence. */
const LOAD_LIMIT_MS = 120_000;
const OPERATIONS = ['/v1/labels/detect', '/v1/text/detect', '/v1/faces/detect'] as const;

interface Seen {
  client: number;
  path: string;
  startedAt: number;
  endedAt: number;
  /** 0 when no response came (client deadline or connection error). */
  status: number;
  requestId: string | null;
  units: number | null;
  error: string | null;
}

interface Faults {
  /** Request ids of the jobs active on the vision queue when the worker was killed. */
  killedJobs: string[];
  workerKilledAt: number;
  workerBackAt: number;
  redisDownAt: number;
  redisUpAt: number;
  redisRunIds: [string, string];
  /** Usage events queued and not yet recorded when the events Redis was killed: only its AOF kept them. */
  eventsWaitingAtKill: number;
  postgresCutAt: number;
  postgresRestoredAt: number;
  /** Connections the cut severed, and the usage app's attempts refused while it lasted. */
  postgresSevered: number;
  postgresRefused: number;
  /** The workspace's usage rows 1 s into the cut and at its end: nothing can be written while it lasts. */
  recordsDuringCut: [number, number];
}

describe('P4: exactly one usage record per billable call, through a worker kill, and an events Redis kill while PostgreSQL is down for 10 s', () => {
  let eventsRedis: RedisServer;
  let proxy: TcpProxy;
  let system: TestSystem;
  let usage: RunningApp;
  let db: Client;
  let visionRedis: Redis;
  let workspaceId: string;
  const seen: Seen[] = [];
  let faults: Faults | null = null;

  beforeAll(async () => {
    eventsRedis = await startRedisServer({ appendonly: true, appendfsync: 'everysec' });
    const target = new URL(TEST_DATABASE_URL);
    proxy = await startTcpProxy({ targetHost: target.hostname, targetPort: Number(target.port || 5432) });
    system = await startTestSystem({
      label: 'p4',
      engine: 'null',
      deadlineMs: VISION_DEADLINE_MS,
      gatewayEnv: { EVENTS_REDIS_URL: eventsRedis.url },
      workerEnv: { NULL_ENGINE_DELAY_MS: String(ENGINE_DELAY_MS), VISION_CONCURRENCY: '4' },
    });
    usage = await startApp('usage', {
      DATABASE_URL: proxy.url(TEST_DATABASE_URL),
      EVENTS_REDIS_URL: eventsRedis.url,
      QUEUE_PREFIX: system.prefix,
      RETENTION_SWEEP_CRON: '',
    });
    db = new Client({ connectionString: TEST_DATABASE_URL });
    await db.connect();
    visionRedis = new Redis(TEST_REDIS_URL);
    workspaceId = system.workspaceId;
  }, 240_000);

  afterAll(async () => {
    visionRedis?.disconnect();
    if (workspaceId) {
      for (const table of ['usage_records', 'usage_daily', 'request_log']) {
        await db.query(`delete from ${table} where workspace_id = $1`, [workspaceId]).catch(() => undefined);
      }
    }
    await db?.end().catch(() => undefined);
    await Promise.all([usage?.stop(), system?.stop()]);
    await Promise.all([eventsRedis?.stop(), proxy?.stop()]);
  }, 60_000);

  /** One client: calls back to back until told to stop, each call with its own deadline. */
  async function client(index: number, stop: AbortSignal): Promise<void> {
    const image = fixture('printed_text.png');
    for (let n = 0; !stop.aborted; n++) {
      const operation = OPERATIONS[(index + n) % OPERATIONS.length];
      const startedAt = Date.now();
      const record: Seen = { client: index, path: operation, startedAt, endedAt: 0, status: 0, requestId: null, units: null, error: null };
      try {
        const response = await fetch(`${system.gateway.url}${operation}`, {
          method: 'POST',
          headers: { authorization: `Bearer ${system.key}`, 'content-type': 'image/png' },
          body: image,
          signal: AbortSignal.timeout(CLIENT_DEADLINE_MS),
        });
        const body = (await response.json()) as { units?: number };
        record.status = response.status;
        record.requestId = response.headers.get('x-request-id');
        record.units = typeof body.units === 'number' ? body.units : null;
      } catch (error) {
        record.error = `${(error as Error).name}: ${(error as Error).message}`;
      }
      record.endedAt = Date.now();
      seen.push(record);
      // A refused call is retried a little later, as a client honouring retry-after would (shortened).
      if (record.status < 200 || record.status > 299) await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  const ok = () => seen.filter((s) => s.status >= 200 && s.status <= 299);
  const okSince = (at: number) => ok().filter((s) => s.startedAt >= at).length;
  async function moreSuccesses(after: number, count: number, what: string): Promise<void> {
    await until(async () => okSince(after) >= count, { what: `${count} successful calls ${what}`, timeoutMs: 60_000, intervalMs: 50 });
  }

  async function workspaceRecords(): Promise<number> {
    const { rows } = await db.query<{ n: string }>('select count(*) as n from usage_records where workspace_id = $1', [workspaceId]);
    return Number(rows[0].n);
  }

  async function eventsNotRecorded(): Promise<number> {
    const events = eventsQueue(system.prefix, eventsRedis.url);
    events.on('error', () => undefined);
    try {
      const counts = await events.getJobCounts('waiting', 'active', 'delayed', 'prioritized', 'paused');
      return Object.values(counts).reduce((sum, count) => sum + count, 0);
    } finally {
      await events.close();
    }
  }

  async function runId(): Promise<string> {
    const redis = new Redis(eventsRedis.url, { maxRetriesPerRequest: 1 });
    try {
      return /run_id:(\w+)/.exec(await redis.info('server'))?.[1] ?? '';
    } finally {
      redis.disconnect();
    }
  }

  it('P4: under load and faults every call is answered within its deadline, and the 2xx responses and usage rows match one for one', async () => {
    const stop = new AbortController();
    const limit = setTimeout(() => stop.abort(), LOAD_LIMIT_MS);
    const load = Promise.all(Array.from({ length: CLIENTS }, (_, index) => client(index, stop.signal)));
    try {
      await moreSuccesses(0, 20, 'before any fault');

      // 1. The vision worker dies with jobs in hand (SIGKILL), and a new one takes over.
      await until(async () => (await visionRedis.llen(`${system.prefix}:vision:active`)) > 0, {
        what: 'a vision job in flight',
        timeoutMs: 30_000,
        intervalMs: 10,
      });
      const killedJobs = await visionRedis.lrange(`${system.prefix}:vision:active`, 0, -1);
      const workerKilledAt = Date.now();
      await workerOf(system).kill();
      system.worker = await system.startWorker();
      const workerBackAt = Date.now();
      await moreSuccesses(workerBackAt, 10, 'from the new worker');

      // 2. PostgreSQL is unreachable for the usage app alone for 10 s (its proxy resets every connection and
      // refuses new ones); the gateway keeps its own connection, so calls go on and their events wait in Redis.
      const postgresCutAt = Date.now();
      const postgresSevered = proxy.cut('reset');
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      const recordsEarly = await workspaceRecords();
      await moreSuccesses(postgresCutAt, 10, 'while PostgreSQL is away');

      // 3. Meanwhile the events Redis dies with those events in it (SIGKILL, as in a crash of its process: no
      // shutdown, no last fsync), stays down until a client has been refused for it, then starts again on the same
      // port and data (its AOF). The events that waited must all come back.
      const eventsWaitingAtKill = await eventsNotRecorded();
      const before = await runId();
      const redisDownAt = Date.now();
      await eventsRedis.kill();
      await until(async () => seen.some((s) => s.startedAt >= redisDownAt && s.status === 503), {
        what: 'a call refused with 503 while the events Redis is down',
        timeoutMs: 30_000,
        intervalMs: 20,
      });
      await eventsRedis.start();
      const redisUpAt = Date.now();
      const after = await runId();
      await moreSuccesses(redisUpAt, 10, 'after the events Redis restart');

      await new Promise((resolve) => setTimeout(resolve, Math.max(0, postgresCutAt + POSTGRES_DOWN_MS - Date.now())));
      const recordsLate = await workspaceRecords();
      const postgresRefused = proxy.stats().refused;
      proxy.restore();
      const postgresRestoredAt = Date.now();
      await moreSuccesses(postgresRestoredAt, 10, 'after PostgreSQL is back');

      faults = {
        killedJobs,
        workerKilledAt,
        workerBackAt,
        redisDownAt,
        redisUpAt,
        redisRunIds: [before, after],
        eventsWaitingAtKill,
        postgresCutAt,
        postgresRestoredAt,
        postgresSevered,
        postgresRefused,
        recordsDuringCut: [recordsEarly, recordsLate],
      };
    } finally {
      clearTimeout(limit);
      stop.abort();
      await load;
    }

    // Every call was answered, within its deadline, with a success or a documented fault answer.
    expect(seen.filter((s) => s.error !== null)).toEqual([]);
    expect(seen.filter((s) => s.endedAt - s.startedAt > CLIENT_DEADLINE_MS)).toEqual([]);
    expect(seen.filter((s) => s.requestId === null)).toEqual([]);
    expect(seen.filter((s) => ![200, 503, 504].includes(s.status))).toEqual([]);
    expect(new Set(seen.map((s) => s.requestId)).size).toBe(seen.length);

    // Each fault happened, during the load, and was felt: the test cannot pass without them.
    const f = faults as Faults;
    const byId = new Map(seen.map((s) => [s.requestId, s]));
    expect(f.killedJobs.length).toBeGreaterThan(0);
    // A job killed in the worker's hands ends, for its client, with 504 at the deadline (never a 2xx).
    expect(f.killedJobs.map((id) => byId.get(id)?.status)).toContain(504);
    expect(seen.some((s) => s.startedAt > f.workerBackAt && s.status === 200)).toBe(true);
    expect(f.redisRunIds[0]).not.toBe(f.redisRunIds[1]);
    expect(f.eventsWaitingAtKill).toBeGreaterThan(0);
    expect(seen.some((s) => s.startedAt >= f.redisDownAt && s.endedAt <= f.redisUpAt + 1_000 && s.status === 503)).toBe(true);
    // The usage app was cut off: its connections severed or its attempts refused, and nothing written meanwhile,
    // while calls kept succeeding (their events waited in Redis).
    expect(f.postgresSevered + f.postgresRefused).toBeGreaterThan(0);
    expect(f.recordsDuringCut[1]).toBe(f.recordsDuringCut[0]);
    expect(seen.some((s) => s.startedAt >= f.postgresCutAt && s.endedAt <= f.postgresRestoredAt && s.status === 200)).toBe(true);
    expect(ok().length).toBeGreaterThan(50);

    // Then, once the usage app has drained: the 2xx responses and the usage rows match one for one.
    const successes = ok();
    const events = eventsQueue(system.prefix, eventsRedis.url);
    events.on('error', () => undefined);
    try {
      // Drained: no event waits or runs, and the rows have caught up. On a timeout the assertions below say what differs.
      await until(
        async () => {
          return (await queueDrained(events)) && (await workspaceRecords()) >= successes.length;
        },
        { what: 'the usage app drained the events queue', timeoutMs: 120_000, intervalMs: 250 },
      ).catch(() => undefined);
      expect(await events.getJobCounts('failed')).toEqual({ failed: 0 });
    } finally {
      await events.close();
    }

    const records = await db.query<{ event_id: string; units: number; status: number }>(
      'select event_id, units, status from usage_records where workspace_id = $1',
      [workspaceId],
    );
    const daily = await db.query<{ calls: string; units: string }>(
      'select coalesce(sum(calls), 0)::text as calls, coalesce(sum(units), 0)::text as units from usage_daily where workspace_id = $1',
      [workspaceId],
    );
    const recordIds = records.rows.map((row) => row.event_id);
    const responseIds = successes.map((s) => s.requestId as string);

    // Exactly: as many rows as 2xx answers, as many calls in the daily rollups, and the same ids on both sides.
    expect(records.rows.length).toBe(successes.length);
    expect(Number(daily.rows[0].calls)).toBe(successes.length);
    expect(new Set(recordIds).size).toBe(recordIds.length);
    const missing = responseIds.filter((id) => !recordIds.includes(id));
    const extra = recordIds.filter((id) => !responseIds.includes(id));
    expect({ missing, extra }).toEqual({ missing: [], extra: [] });
    // Units too: what the client was told it used is what was recorded, row by row and in the rollups.
    const unitsAnswered = successes.reduce((sum, s) => sum + (s.units ?? 0), 0);
    expect(successes.every((s) => s.units !== null)).toBe(true);
    expect(records.rows.reduce((sum, row) => sum + row.units, 0)).toBe(unitsAnswered);
    expect(Number(daily.rows[0].units)).toBe(unitsAnswered);
    const statusById = new Map(successes.map((s) => [s.requestId, s.status]));
    expect(records.rows.filter((row) => statusById.get(row.event_id) !== row.status)).toEqual([]);
  }, 480_000);
});
