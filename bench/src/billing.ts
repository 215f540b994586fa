import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { type RunningApp, TEST_REDIS_URL, createScratchDatabase, startApp, uniquePrefix, until } from '@nomosly/testing';
// eslint-disable-next-line @nx/enforce-module-boundaries, no-restricted-imports -- the Polar stand-in runs in this process, where its ingestion times are read
import { startPolarLocal } from '../../tools/polar-local/src/server';
import { runBench } from './run-bench';

/**
 * `npm run bench:billing`: the billing app's ledger sender, usage records to Polar (polar-local, in this process,
 * through the real SDK over HTTP), against a scratch database of its own (a sender sends every unsent row).
 * (1) backlog: BENCH_EVENTS usage records (default 50,000) with their ledger rows are written first, then the app
 *     starts; the rate is events Polar ingested per second from the first to the last.
 * (2) steady: records arrive at BENCH_RATE per second (default 1,000) for BENCH_SECONDS (default 20), in 100 ms
 *     ticks stamped `at` = when written; the lag of each is from its `at` to Polar's ingestion time of it.
 * The sender's settings are the app's (BILLING_BATCH_SIZE, BILLING_CONCURRENCY, BILLING_POLL_MS) unless set here.
 */
const EVENTS = Number(process.env.BENCH_EVENTS ?? 50_000);
const RATE = Number(process.env.BENCH_RATE ?? 1_000);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 20);
const WORKSPACES = 20;
const TICK_MS = 100;
const WRITE_CHUNK = 5_000;
const TOKEN = 'polar_oat_bench';
const WEBHOOK_SECRET = `whsec_${Buffer.from('bench-billing-webhook-secret').toString('base64')}`;
const SENDER_SETTINGS = ['BILLING_BATCH_SIZE', 'BILLING_CONCURRENCY', 'BILLING_POLL_MS'] as const;

/** Usage records and their ledger rows in one statement, as the usage app writes them. */
const WRITE_USAGE = `
  with inserted as (
    insert into usage_records (event_id, workspace_id, user_id, key_id, operation, units, status, latency_ms, at)
    select event_id, workspace_id, user_id, key_id, operation, units, 200, 25, at
    from jsonb_to_recordset($1::jsonb) as r(event_id text, workspace_id uuid, user_id uuid, key_id uuid, operation text, units integer, "at" timestamptz)
    on conflict (event_id) do nothing
    returning event_id, workspace_id, operation, units, at
  )
  insert into billing_ledger (event_id, workspace_id, operation, units, at)
  select event_id, workspace_id, operation, units, at from inserted`;

const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number;

async function main(): Promise<void> {
  const database = await createScratchDatabase('bench_billing');
  const db = new Client({ connectionString: database.url });
  await db.connect();
  const polar = await startPolarLocal({ accessToken: TOKEN, webhookSecret: WEBHOOK_SECRET });
  let app: RunningApp | undefined;
  try {
    const workspaces: string[] = [];
    for (let i = 0; i < WORKSPACES; i++) {
      const workspaceId = randomUUID();
      const userId = randomUUID();
      await db.query('insert into users (id, email, name) values ($1, $2, $3)', [userId, `bench-${userId}@bench.test`, 'Bench']);
      await db.query(`insert into workspaces (id, name) values ($1, 'bench')`, [workspaceId]);
      await db.query(`insert into memberships (workspace_id, user_id, role) values ($1, $2, 'owner')`, [workspaceId, userId]);
      workspaces.push(workspaceId);
    }
    const key = randomUUID();
    const write = async (count: number, at: Date) => {
      for (let done = 0; done < count; done += WRITE_CHUNK) {
        const rows = Array.from({ length: Math.min(WRITE_CHUNK, count - done) }, (_, i) => ({
          event_id: `ev_${randomUUID()}`,
          workspace_id: workspaces[(done + i) % WORKSPACES],
          user_id: key,
          key_id: key,
          operation: 'faces.detect',
          units: 1,
          at: at.toISOString(),
        }));
        await db.query(WRITE_USAGE, [JSON.stringify(rows)]);
      }
    };

    // (1) Backlog.
    await write(EVENTS, new Date());
    const settings = Object.fromEntries(SENDER_SETTINGS.flatMap((name) => (process.env[name] ? [[name, process.env[name] as string]] : [])));
    app = await startApp('billing', {
      DATABASE_URL: database.url,
      EVENTS_REDIS_URL: process.env.EVENTS_REDIS_URL ?? TEST_REDIS_URL,
      QUEUE_PREFIX: uniquePrefix('bench-billing'),
      POLAR_ACCESS_TOKEN: TOKEN,
      POLAR_SERVER_URL: polar.url,
      POLAR_WEBHOOK_SECRET: WEBHOOK_SECRET,
      BILLING_RECONCILE_CRON: '',
      LOG_LEVEL: 'warn',
      ...settings,
    });
    const running = app;
    await until(
      async () => {
        if (running.child.exitCode !== null) throw new Error(`the billing app exited:\n${running.logs()}`);
        return polar.state.events.length >= EVENTS;
      },
      { what: `all ${EVENTS} backlog events ingested`, timeoutMs: 300_000, intervalMs: 20 },
    );
    const metricsText = await (await fetch(`${running.url}/metrics`)).text();
    const metricOf = (name: string) => Number(metricsText.split('\n').find((line) => line.startsWith(name))?.split(' ').at(-1) ?? 0);
    const ingestCalls = metricOf('billing_ingest_duration_seconds_count');
    const ingestSeconds = metricOf('billing_ingest_duration_seconds_sum');
    const ingested = polar.state.events.map((event) => event.ingestedAt.getTime());
    const drainSeconds = Math.max(0.001, (Math.max(...ingested) - Math.min(...ingested)) / 1000);

    // (2) Steady arrivals.
    const perTick = Math.round((RATE * TICK_MS) / 1000);
    const steadyFrom = polar.state.events.length;
    const started = Date.now();
    let offered = 0;
    for (let tick = 0; tick < (SECONDS * 1000) / TICK_MS; tick++) {
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, started + tick * TICK_MS - Date.now())));
      await write(perTick, new Date());
      offered += perTick;
    }
    await until(async () => polar.state.events.length >= steadyFrom + offered, { what: `all ${offered} steady events ingested`, timeoutMs: 120_000, intervalMs: 20 });
    const lags = polar.state.events
      .slice(steadyFrom)
      .map((event) => event.ingestedAt.getTime() - (event.timestamp as Date).getTime())
      .sort((a, b) => a - b);
    const duplicates = polar.state.events.length - new Set(polar.state.events.map((event) => event.externalId)).size;

    const effective = SENDER_SETTINGS.map((name) => `${name}=${settings[name] ?? 'default'}`).join(' ');
    console.log(`machine: ${process.arch}, node ${process.version}; sender ${effective}; polar-local in this process`);
    console.log(
      `backlog: ${EVENTS} usage records sent to Polar in ${drainSeconds.toFixed(1)} s: ${Math.round(EVENTS / drainSeconds)} events/s (goal >= 5000); ` +
        `${ingestCalls} ingest calls, ${ingestCalls ? Math.round((1000 * ingestSeconds) / ingestCalls) : 0} ms each on average`);
    console.log(
      `steady: ${offered} records at ${RATE}/s for ${SECONDS} s: lag usage row -> Polar ingest p50 ${quantile(lags, 0.5)} ms, ` +
        `p99 ${quantile(lags, 0.99)} ms, max ${lags.at(-1)} ms (goal p99 <= 5000 ms); ${duplicates} duplicates held by Polar`,
    );
  } finally {
    await app?.stop();
    await polar.close();
    await db.end();
    await database.drop();
  }
}

runBench(main);
