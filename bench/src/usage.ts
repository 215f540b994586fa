import { randomUUID } from 'node:crypto';
import { Queue } from 'bullmq';
import { Client } from 'pg';
import { EVENT_JOB_OPTIONS, EventName, Operation, QueueName, eventJobId, type UsageEvent } from '@nomosly/contracts';
import { TEST_DATABASE_URL, TEST_REDIS_URL, deleteKeys, startApp, uniquePrefix, until, usageEvent } from '@nomosly/testing';
import { runBench } from './run-bench';

/**
 * `npm run bench:usage`: the usage app's ingest, from the events queue into Postgres.
 * (1) backlog: BENCH_EVENTS usage events (default 50,000) are added first, then the app starts; the sustained
 *     rate is events recorded per second from the first row to the last.
 * (2) steady: with the app running, events arrive at BENCH_RATE per second (default 5,000) for BENCH_SECONDS
 *     (default 10), in 100 ms ticks stamped `at` = when added; the lag of a tick is from its `at` to the moment
 *     the polled record count covers it (records land in queue order within a few batches).
 */
const EVENTS = Number(process.env.BENCH_EVENTS ?? 50_000);
const RATE = Number(process.env.BENCH_RATE ?? 5_000);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const DATABASE_URL = process.env.DATABASE_URL ?? TEST_DATABASE_URL;
const REDIS_URL = process.env.EVENTS_REDIS_URL ?? TEST_REDIS_URL;
const TICK_MS = 100;
const ADD_CHUNK = 1_000;

const keys = Array.from({ length: 20 }, () => randomUUID());
const operations = Object.values(Operation);

/** The n-th event of a run: spread over 20 keys and the four operations. */
function benchEvent(workspaceId: string, n: number, at: string): UsageEvent {
  const key = keys[n % keys.length];
  return usageEvent({ workspaceId, userId: key, keyId: key, operation: operations[n % operations.length], latencyMs: 25, at });
}

async function addEvents(queue: Queue, events: UsageEvent[]): Promise<void> {
  for (let i = 0; i < events.length; i += ADD_CHUNK) {
    await queue.addBulk(
      events.slice(i, i + ADD_CHUNK).map((event) => ({
        name: EventName.Usage,
        data: event,
        opts: { ...EVENT_JOB_OPTIONS, jobId: eventJobId(EventName.Usage, event.eventId) },
      })),
    );
  }
}

const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];

async function main(): Promise<void> {
  const prefix = uniquePrefix('bench-usage');
  const url = new URL(REDIS_URL);
  const queue = new Queue(QueueName.Events, { connection: { host: url.hostname, port: Number(url.port || 6379) }, prefix });
  const db = new Client({ connectionString: DATABASE_URL });
  await db.connect();
  const backlogWorkspace = randomUUID();
  const steadyWorkspace = randomUUID();
  const recorded = async (workspaceId: string) =>
    (await db.query<{ n: number }>('select count(*)::int as n from usage_records where workspace_id = $1', [workspaceId])).rows[0].n;
  const app = { current: undefined as Awaited<ReturnType<typeof startApp>> | undefined };

  try {
    // (1) Backlog.
    const at = new Date().toISOString();
    const addStarted = performance.now();
    await addEvents(queue, Array.from({ length: EVENTS }, (_, n) => benchEvent(backlogWorkspace, n, at)));
    const addSeconds = (performance.now() - addStarted) / 1000;
    app.current = await startApp('usage', { DATABASE_URL, EVENTS_REDIS_URL: REDIS_URL, QUEUE_PREFIX: prefix, LOG_LEVEL: 'warn', RETENTION_SWEEP_CRON: '' });
    let first: number | undefined;
    const running = app.current;
    // Bounded: a usage app that dies or stops recording ends the bench with what it saw, not a hang.
    await until(
      async () => {
        if (running.child.exitCode !== null) throw new Error(`the usage app exited:\n${running.logs()}`);
        const count = await recorded(backlogWorkspace);
        if (count > 0) first ??= performance.now();
        return count >= EVENTS;
      },
      { what: `all ${EVENTS} backlog events recorded`, timeoutMs: 300_000, intervalMs: 20 },
    );
    const drainSeconds = (performance.now() - (first as number)) / 1000;

    // (2) Steady arrivals.
    const perTick = Math.round((RATE * TICK_MS) / 1000);
    const ticks: Array<{ at: number; total: number }> = [];
    const samples: Array<{ time: number; count: number }> = [];
    let adding = true;
    const poller = (async () => {
      const giveUpAt = Date.now() + SECONDS * 1000 + 120_000;
      while (adding || (samples.at(-1)?.count ?? 0) < ticks.length * perTick) {
        if (Date.now() > giveUpAt) throw new Error(`steady phase: only ${samples.at(-1)?.count ?? 0} events recorded in time`);
        samples.push({ time: Date.now(), count: await recorded(steadyWorkspace) });
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    })();
    const steadyStarted = Date.now();
    for (let tick = 0; tick < (SECONDS * 1000) / TICK_MS; tick++) {
      const due = steadyStarted + tick * TICK_MS;
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, due - Date.now())));
      const now = Date.now();
      await addEvents(queue, Array.from({ length: perTick }, (_, n) => benchEvent(steadyWorkspace, n, new Date(now).toISOString())));
      ticks.push({ at: now, total: (tick + 1) * perTick });
    }
    adding = false;
    await poller;
    const lags = ticks.map((tick) => (samples.find((sample) => sample.count >= tick.total) as { time: number }).time - tick.at).sort((a, b) => a - b);
    const lastSample = samples.at(-1) as { time: number };
    const steadyRate = (ticks.length * perTick) / ((lastSample.time - steadyStarted) / 1000);

    console.log(`machine: ${process.arch}, node ${process.version}; usage app defaults (batch 500 or 50 ms, concurrency 1000)`);
    console.log(`backlog: ${EVENTS} events added in ${addSeconds.toFixed(1)} s, recorded in ${drainSeconds.toFixed(1)} s: ${Math.round(EVENTS / drainSeconds)} events/s (goal >= 5000)`);
    console.log(
      `steady: ${ticks.length * perTick} events offered at ${RATE}/s for ${SECONDS} s: recorded at ${Math.round(steadyRate)} events/s; ` +
        `lag event time -> row p50 ${quantile(lags, 0.5)} ms, p99 ${quantile(lags, 0.99)} ms, max ${lags.at(-1)} ms (goal p99 <= 2000 ms)`,
    );
  } finally {
    await app.current?.stop();
    await queue.close();
    for (const table of ['usage_records', 'usage_daily']) await db.query(`delete from ${table} where workspace_id = any($1::uuid[])`, [[backlogWorkspace, steadyWorkspace]]);
    await db.end();
    await deleteKeys(REDIS_URL, `${prefix}:*`);
  }
}

runBench(main);
