import { randomBytes } from 'node:crypto';
import {
  TEST_DATABASE_URL,
  createKeyWithCli,
  deleteKeys,
  detectCall,
  fixture,
  plansLimitingOnlyInFlight,
  quantile,
  startApp,
  startFlood,
  timedCalls,
  uniquePrefix,
  waitForWorkers,
  type TimedCalls,
} from '@nomosly/testing';
import { runBenchWithVisionRedis, startAll } from './run-bench';

/**
 * `npm run bench:fairness`: one workspace's calls (one at a time) on an idle system, then while another workspace
 * floods the gateway from 10 times its share of calls in flight, first honouring Retry-After, then ignoring it.
 * Prints the quiet workspace's p50/p99 in each phase and the flood's answers by status.
 */
const CALLS = Number(process.env.BENCH_CALLS ?? 60);
const MAX_IN_FLIGHT = Number(process.env.BENCH_MAX_IN_FLIGHT ?? 2);
const ENGINE_DELAY_MS = process.env.BENCH_ENGINE_DELAY_MS ?? '200';
const WORKER_CONCURRENCY = process.env.BENCH_WORKER_CONCURRENCY ?? '4';
const DATABASE_URL = process.env.DATABASE_URL ?? TEST_DATABASE_URL;

async function run(redisUrl: string): Promise<void> {
  const prefix = uniquePrefix('bench-fairness');
  const env = {
    DATABASE_URL,
    VISION_REDIS_URL: redisUrl,
    EVENTS_REDIS_URL: redisUrl,
    QUEUE_PREFIX: prefix,
    ENGINE: 'null',
    LOG_LEVEL: 'warn',
    // Only the workspace's calls in flight limit it: no rate or quota row is reached.
    PLANS: plansLimitingOnlyInFlight(MAX_IN_FLIGHT),
  };
  const [worker, gateway] = await startAll([
    startApp('vision-worker', { ...env, NULL_ENGINE_DELAY_MS: ENGINE_DELAY_MS, VISION_CONCURRENCY: WORKER_CONCURRENCY }),
    startApp('gateway', env),
  ]);
  try {
    // The gateway answers 503 until it counts the worker (once a second): the idle phase would measure that.
    await waitForWorkers(gateway.url, 1);
    const newWorkspaceKey = (label: string) => createKeyWithCli(DATABASE_URL, `bench-fairness-${label}-${randomBytes(4).toString('hex')}@nomosly.local`);
    const image = fixture('astronaut.png');
    const quiet = detectCall(gateway.url, newWorkspaceKey('quiet'), image);
    const flooder = newWorkspaceKey('flood');
    const clients = 10 * MAX_IN_FLIGHT;
    console.log(`machine: ${process.arch}, node ${process.version}; null engine ${ENGINE_DELAY_MS} ms x ${WORKER_CONCURRENCY} jobs at once`);
    console.log(`each workspace may have ${MAX_IN_FLIGHT} calls in flight; the flood: ${clients} clients; ${CALLS} quiet calls per phase, one at a time`);

    await timedCalls(quiet, 10);
    report('quiet workspace, idle system', await timedCalls(quiet, CALLS));
    for (const honourRetryAfter of [true, false]) {
      const flood = startFlood({ gatewayUrl: gateway.url, key: flooder, image, clients, honourRetryAfter });
      await new Promise((resolve) => setTimeout(resolve, 500));
      const measured = await timedCalls(quiet, CALLS);
      const counts = await flood.stop();
      report(`quiet workspace, flood ${honourRetryAfter ? 'honouring' : 'ignoring'} Retry-After`, measured);
      console.log(`  flood answers: ${Object.entries(counts).map(([status, count]) => `${status}: ${count}`).join(', ')}`);
    }
  } finally {
    await Promise.all([worker.stop(), gateway.stop()]);
    await deleteKeys(redisUrl, `${prefix}:*`);
  }
}

function report(label: string, calls: TimedCalls): void {
  const failed = calls.statuses.filter((status) => status !== 200).length;
  console.log(
    `${label.padEnd(48)} p50 ${quantile(calls.latenciesMs, 0.5).toFixed(1).padStart(7)} ms  p99 ${quantile(calls.latenciesMs, 0.99).toFixed(1).padStart(7)} ms  not 200: ${failed}`,
  );
}

runBenchWithVisionRedis(run);
