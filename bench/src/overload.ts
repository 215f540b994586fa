import http from 'node:http';
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { createKeyInWorkspace, deleteKeys, eventsQueue, quantile, queueDrained, startApp, until, waitForWorkers, type RunningApp } from '@nomosly/testing';
import { BENCH_DATABASE_URL, benchAppEnv, benchImages, runBenchWithVisionRedis, startAll } from './run-bench';

/**
 * `npm run bench:overload` (and the rows of `npm run bench` before its scale-out table): issue 16 (2). For each case, a worker of known
 * slots and a gateway; then
 *   1. unloaded: one client, one call at a time, for BENCH_OVERLOAD_SECONDS: its p50 and p99;
 *   2. capacity: 2 x slots clients calling back to back, for the same time: the calls per second the workers serve;
 *   3. the gateway is replaced by one with VISION_MAX_QUEUE_WAIT_MS at half the unloaded p50 (the operator's choice:
 *      a call may wait at most that long for a worker);
 *   4. overload: calls arriving at 3x that capacity (open loop, evenly spaced) for the same time, from a workspace of
 *      their own: the accepted calls' p50/p99 (goal: p99 < 2x the unloaded p99), the refused calls' (goal: 503
 *      with Retry-After, p99 < 50 ms), anything else, and whether the usage rows are exactly the accepted calls.
 */
const SECONDS = Number(process.env.BENCH_OVERLOAD_SECONDS ?? 5);
/** Long jobs on few slots: the workers, not the gateway's CPU, are what runs out (admission guards the queue). */
const NULL_DELAY_MS = Number(process.env.BENCH_OVERLOAD_NULL_DELAY_MS ?? 200);
const NULL_SLOTS = Number(process.env.BENCH_OVERLOAD_NULL_SLOTS ?? 2);
/** Starting the local engine's models on a loaded machine can take minutes. */
const READY_TIMEOUT_MS = 300_000;
/** Over this, a refusal is not "fast" (issue 16: under 50 ms). */
const FAST_REFUSAL_MS = 50;

interface Case {
  label: string;
  workerEnv: Record<string, string>;
  slots: number;
}

interface Timed {
  status: number;
  ms: number;
  retryAfter: string | null;
  requestId: string | null;
}

export async function printOverloadRows(redisUrl: string): Promise<void> {
  const cases: Case[] = [
    {
      label: `null engine ${NULL_DELAY_MS} ms x ${NULL_SLOTS}`,
      workerEnv: { ENGINE: 'null', NULL_ENGINE_DELAY_MS: String(NULL_DELAY_MS), VISION_CONCURRENCY: String(NULL_SLOTS) },
      slots: NULL_SLOTS,
    },
    { label: 'local engine, faces.detect x 1', workerEnv: { ENGINE: 'local', VISION_CONCURRENCY: '1' }, slots: 1 },
  ];
  const { photo } = await benchImages();
  console.log(`overload: ${SECONDS} s per phase; admission at VISION_MAX_QUEUE_WAIT_MS = unloaded p50 / 2; load generator in this process`);
  for (const each of cases) await runCase(redisUrl, each, photo);
}

async function runCase(redisUrl: string, { label, workerEnv, slots }: Case, image: Buffer): Promise<void> {
  const env = { ...benchAppEnv(redisUrl, 'bench-overload'), ENGINE: workerEnv.ENGINE };
  const prefix = env.QUEUE_PREFIX;
  const apps: RunningApp[] = [];
  try {
    apps.push(...(await startAll([startApp('vision-worker', { ...env, ...workerEnv }, { readyTimeoutMs: READY_TIMEOUT_MS }), startApp('gateway', env, { readyTimeoutMs: READY_TIMEOUT_MS }), startApp('usage', { ...env, RETENTION_SWEEP_CRON: '' }, { readyTimeoutMs: READY_TIMEOUT_MS })])));
    const [, first] = apps;
    await waitForWorkers(first.url, 1);
    const warm = newKey();
    await closedLoop(first.url, warm.secret, image, 1, 1);
    const unloaded = (await closedLoop(first.url, warm.secret, image, 1, SECONDS)).calls;
    const saturated = await closedLoop(first.url, warm.secret, image, 2 * slots, SECONDS);
    // Over the time the calls took: those still in flight at the end ran past SECONDS.
    const capacity = latencies(saturated.calls, 200).length / saturated.seconds;

    const maxWaitMs = Math.max(1, Math.round(quantile(latencies(unloaded, 200), 0.5) / 2));
    const gateway = await startApp('gateway', { ...env, VISION_MAX_QUEUE_WAIT_MS: String(maxWaitMs) }, { readyTimeoutMs: READY_TIMEOUT_MS });
    apps.push(gateway);
    await first.stop();
    await waitForWorkers(gateway.url, 1);
    await closedLoop(gateway.url, warm.secret, image, 1, 1);

    const overloadKey = newKey();
    const offered = 3 * capacity;
    const overload = await openLoop(gateway.url, overloadKey.secret, image, offered, SECONDS);
    const accepted = overload.filter((call) => call.status === 200);
    const refused = overload.filter((call) => call.status === 503);
    const withoutRetryAfter = refused.filter((call) => !(Number(call.retryAfter) >= 1)).length;
    const other = overload.length - accepted.length - refused.length;
    const billed = await usageRows(prefix, redisUrl, overloadKey.workspaceId, accepted.length);
    const acceptedIds = new Set(accepted.map((call) => call.requestId));
    const billedExactly = billed.length === accepted.length && new Set(billed).size === billed.length && billed.every((id) => acceptedIds.has(id));

    const unloadedP99 = quantile(latencies(unloaded, 200), 0.99);
    const acceptedP99 = accepted.length ? quantile(latencies(accepted, 200), 0.99) : NaN;
    const refusedMs = latencies(refused, 503);
    const refusedP99 = refusedMs.length ? quantile(refusedMs, 0.99) : NaN;
    console.log(
      `overload ${label.padEnd(32)} unloaded p50 ${fmt(quantile(latencies(unloaded, 200), 0.5))} p99 ${fmt(unloadedP99)}; ` +
        `max queue wait ${maxWaitMs} ms; capacity ${capacity.toFixed(1)}/s; offered ${offered.toFixed(1)}/s (3x): ` +
        `accepted ${accepted.length} p50 ${fmt(accepted.length ? quantile(latencies(accepted, 200), 0.5) : NaN)} p99 ${fmt(acceptedP99)} ` +
        `(${(acceptedP99 / unloadedP99).toFixed(2)}x unloaded, goal < 2x); ` +
        `refused 503 ${refused.length} p50 ${fmt(refusedMs.length ? quantile(refusedMs, 0.5) : NaN)} p99 ${fmt(refusedP99)} ` +
        `(${refusedMs.filter((ms) => ms >= FAST_REFUSAL_MS).length} at ${FAST_REFUSAL_MS} ms or more, ${withoutRetryAfter} without Retry-After); ` +
        `other ${other}; usage rows ${billed.length} = accepted: ${billedExactly ? 'yes' : 'NO'}`,
    );
  } finally {
    await Promise.all(apps.map((app) => app.stop()));
    await deleteKeys(redisUrl, `${prefix}:*`);
  }
}

function newKey(): { secret: string; workspaceId: string } {
  return createKeyInWorkspace(BENCH_DATABASE_URL, `bench-overload-${randomBytes(4).toString('hex')}@nomosly.local`);
}

const fmt = (ms: number) => `${ms.toFixed(1)} ms`;

function latencies(calls: readonly Timed[], status: number): number[] {
  return calls.filter((call) => call.status === status).map((call) => call.ms);
}

function send(agent: http.Agent, gatewayUrl: string, key: string, image: Buffer): Promise<Timed> {
  const target = new URL(`${gatewayUrl}/v1/faces/detect`);
  const started = performance.now();
  return new Promise((resolve) => {
    const request = http.request(
      {
        agent,
        host: target.hostname,
        port: target.port,
        path: target.pathname,
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'image/jpeg', 'content-length': String(image.length) },
      },
      (response) => {
        response.resume();
        response.on('end', () =>
          resolve({
            status: response.statusCode ?? 0,
            ms: performance.now() - started,
            retryAfter: (response.headers['retry-after'] as string | undefined) ?? null,
            requestId: (response.headers['x-request-id'] as string | undefined) ?? null,
          }),
        );
      },
    );
    request.on('error', () => resolve({ status: 0, ms: performance.now() - started, retryAfter: null, requestId: null }));
    request.end(image);
  });
}

/** `clients` loops, each calling again as soon as it has its answer; with the seconds they took in all. */
async function closedLoop(gatewayUrl: string, key: string, image: Buffer, clients: number, seconds: number): Promise<{ calls: Timed[]; seconds: number }> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: clients });
  const started = performance.now();
  const until = started + seconds * 1000;
  const calls: Timed[] = [];
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (performance.now() < until) calls.push(await send(agent, gatewayUrl, key, image));
    }),
  );
  agent.destroy();
  return { calls, seconds: (performance.now() - started) / 1000 };
}

/** Calls arriving at `perSecond`, evenly spaced, whatever the answers: the offered load does not back off. */
async function openLoop(gatewayUrl: string, key: string, image: Buffer, perSecond: number, seconds: number): Promise<Timed[]> {
  const agent = new http.Agent({ keepAlive: true });
  const count = Math.round(perSecond * seconds);
  const started = performance.now();
  const pending: Array<Promise<Timed>> = [];
  for (let n = 0; n < count; n++) {
    const due = started + (n * 1000) / perSecond;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    pending.push(send(agent, gatewayUrl, key, image));
  }
  const calls = await Promise.all(pending);
  agent.destroy();
  return calls;
}

/** The workspace's usage rows (event ids) once the usage app has recorded what the events queue holds. */
async function usageRows(prefix: string, redisUrl: string, workspaceId: string, expected: number): Promise<string[]> {
  const db = new Client({ connectionString: BENCH_DATABASE_URL });
  await db.connect();
  const events = eventsQueue(prefix, redisUrl);
  events.on('error', () => undefined);
  const ids = async () => (await db.query<{ event_id: string }>('select event_id from usage_records where workspace_id = $1', [workspaceId])).rows.map((row) => row.event_id);
  try {
    await until(async () => (await queueDrained(events)) && (await ids()).length >= expected, { what: 'usage recorded', timeoutMs: 60_000, intervalMs: 250 }).catch(
      () => undefined,
    );
    return await ids();
  } finally {
    await events.close();
    await db.end();
  }
}

if (require.main === module) runBenchWithVisionRedis(printOverloadRows);
