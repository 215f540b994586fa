import os from 'node:os';
import Redis from 'ioredis';
import { createKeyWithCli, deleteKeys, startApp, waitForWorkers, type RunningApp } from '@nomosly/testing';
import { machineCpuMs, processCpuMs } from './cpu-time';
import { runLoad, type LoadRequest, type LoadResult } from './load';
import { BENCH_DATABASE_URL, benchAppEnv, benchImages, runBenchWithVisionRedis, startAll } from './run-bench';

/**
 * The scale-out rows of `npm run bench`, and `npm run bench:scale-out` on their own: 1 and 2 gateway processes
 * with 1, 2 and 4 vision-worker processes, first with the null engine (a fixed delay per call, so a worker's
 * capacity is known), then with the local engine (faces.detect on a 640 x 480 JPEG). The load generator sends
 * each next request to the next gateway in turn, as a round-robin load balancer would. Each row also says how
 * many cores each part used over it (from /proc and Redis's INFO): everything, the load generator included,
 * shares this machine's cores, which is what limits these rows here.
 */
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const NULL_DELAY_MS = Number(process.env.BENCH_SCALE_NULL_DELAY_MS ?? 20);
/** Calls each null-engine worker runs at once: its capacity is this many per NULL_DELAY_MS. */
const NULL_WORKER_CONCURRENCY = Number(process.env.BENCH_SCALE_WORKER_CONCURRENCY ?? 8);
const NULL_CLIENTS = Number(process.env.BENCH_SCALE_CLIENTS ?? 64);
const LOCAL_CLIENTS = Number(process.env.BENCH_SCALE_LOCAL_CLIENTS ?? 16);
const GATEWAY_COUNTS = [1, 2];
const WORKER_COUNTS = [1, 2, 4];

interface EngineCase {
  label: string;
  workerEnv: Record<string, string>;
  clients: number;
  route: string;
  body: Buffer;
  /** Calls per second the workers could serve if nothing else limited them; null where it is not known beforehand. */
  idealPerWorker: number | null;
}

/** Cores each part of the system kept busy over a row (CPU time / wall time). */
interface CoresBusy {
  loadGenerator: number;
  gateways: number | null;
  workers: number | null;
  redis: number;
  machine: number | null;
}

/** `key`: an API key of `npm run bench`'s own; run alone, the table makes one. */
export async function printScaleOut(redisUrl: string, key?: string): Promise<void> {
  const apiKey = key ?? createKeyWithCli(BENCH_DATABASE_URL, 'bench@nomosly.local', ['--name', 'bench-scale-out', '--replace']);
  const { small, photo } = await benchImages();
  const engines: EngineCase[] = [
    {
      label: `null ${NULL_DELAY_MS} ms`,
      workerEnv: { ENGINE: 'null', NULL_ENGINE_DELAY_MS: String(NULL_DELAY_MS), VISION_CONCURRENCY: String(NULL_WORKER_CONCURRENCY) },
      clients: NULL_CLIENTS,
      route: '/v1/faces/detect',
      body: small,
      idealPerWorker: (NULL_WORKER_CONCURRENCY * 1000) / NULL_DELAY_MS,
    },
    { label: 'local', workerEnv: { ENGINE: 'local' }, clients: LOCAL_CLIENTS, route: '/v1/faces/detect', body: photo, idealPerWorker: null },
  ];
  const cores = os.availableParallelism();
  console.log(
    `scale-out, ${SECONDS} s per row, ${cores} cores shared by the load generator, the gateways, the workers and one Redis (vision and events): ` +
      `null engine ${NULL_DELAY_MS} ms per call, ${NULL_WORKER_CONCURRENCY} calls at once per worker, ${NULL_CLIENTS} clients; ` +
      `local engine faces.detect 640 x 480, one call at a time per worker, ${LOCAL_CLIENTS} clients; requests round robin over the gateways`,
  );
  console.log(
    `${'engine'.padEnd(10)} gw  wk  ${'p50'.padStart(10)}  ${'p99'.padStart(10)}  ${'throughput'.padStart(12)}  ${'ideal'.padStart(8)}  errors` +
      '   cores busy: load gen  gateways  workers  redis  machine  (others)',
  );
  for (const engine of engines) {
    await runEngine(redisUrl, apiKey, engine);
  }
  console.log(
    `what limits these rows here: CPU. With ${cores} cores for everything, once "machine" nears ${cores}.0 another gateway or worker ` +
      'process only splits the same cores (and adds its own overhead); "ideal" is what the null-engine workers could serve ' +
      '(workers x calls at once / delay). Across machines each process brings its own cores: see docs/scaling.md.',
  );
}

/** Both gateways start once; workers are added up to each row's count, so each engine loads its models once per process. */
async function runEngine(redisUrl: string, key: string, engine: EngineCase): Promise<void> {
  const env = benchAppEnv(redisUrl, 'bench-scale');
  const gateways: RunningApp[] = [];
  const workers: RunningApp[] = [];
  const redis = new Redis(redisUrl);
  try {
    gateways.push(...(await startAll(Array.from({ length: Math.max(...GATEWAY_COUNTS) }, () => startApp('gateway', env)))));
    for (const workerCount of WORKER_COUNTS) {
      const starts = Array.from({ length: workerCount - workers.length }, () => startApp('vision-worker', { ...env, ...engine.workerEnv }));
      workers.push(...(await startAll(starts)));
      // Each gateway answers 503 until it has counted the workers (once a second).
      await Promise.all(gateways.map((gateway) => waitForWorkers(gateway.url, workerCount, 60_000)));
      for (const gatewayCount of GATEWAY_COUNTS) {
        const targets: LoadRequest[] = gateways.slice(0, gatewayCount).map((gateway) => ({
          url: `${gateway.url}${engine.route}`,
          headers: { authorization: `Bearer ${key}`, 'content-type': 'image/jpeg' },
          body: engine.body,
        }));
        await runLoad(targets, engine.clients, 1);
        const measure = await startCoresBusy(redis, gateways, workers);
        const row = await runLoad(targets, engine.clients, SECONDS);
        const busy = await measure();
        const ideal = engine.idealPerWorker === null ? null : engine.idealPerWorker * workerCount;
        console.log(formatScaleRow(engine.label, gatewayCount, workerCount, row, ideal, busy));
      }
    }
  } finally {
    await Promise.all([...gateways, ...workers].map((app) => app.stop()));
    await deleteKeys(redisUrl, `${env.QUEUE_PREFIX}:*`);
    redis.disconnect();
  }
}

/** Starts counting CPU time; the function it returns ends the count and says how many cores each part kept busy. */
async function startCoresBusy(redis: Redis, gateways: RunningApp[], workers: RunningApp[]): Promise<() => Promise<CoresBusy>> {
  const redisBefore = await redisCpuMs(redis);
  const started = performance.now();
  const ownBefore = process.cpuUsage();
  const cpuOf = (group: RunningApp[]) => group.map((app) => processCpuMs(app.child.pid));
  const gatewaysBefore = cpuOf(gateways);
  const workersBefore = cpuOf(workers);
  const machineBefore = machineCpuMs();
  return async () => {
    const wallMs = performance.now() - started;
    const own = process.cpuUsage(ownBefore);
    const machineAfter = machineCpuMs();
    // Null when /proc could not say for one of them: shown as "-", never as a confident 0.
    const spent = (before: Array<number | null>, after: Array<number | null>) =>
      before.some((ms) => ms === null) || after.some((ms) => ms === null)
        ? null
        : after.reduce<number>((sum, ms, i) => sum + (ms as number) - (before[i] as number), 0) / wallMs;
    return {
      loadGenerator: (own.user + own.system) / 1000 / wallMs,
      gateways: spent(gatewaysBefore, cpuOf(gateways)),
      workers: spent(workersBefore, cpuOf(workers)),
      redis: ((await redisCpuMs(redis)) - redisBefore) / wallMs,
      machine: machineBefore && machineAfter ? (machineAfter.busy - machineBefore.busy) / wallMs : null,
    };
  };
}

/** Redis's own CPU time so far (INFO cpu: used_cpu_sys + used_cpu_user, in seconds), in ms. */
async function redisCpuMs(redis: Redis): Promise<number> {
  const info = await redis.info('cpu');
  const seconds = (name: string) => Number(new RegExp(`^${name}:([\\d.]+)`, 'm').exec(info)?.[1] ?? 0);
  return (seconds('used_cpu_sys') + seconds('used_cpu_user')) * 1000;
}

function formatScaleRow(label: string, gateways: number, workers: number, row: LoadResult, ideal: number | null, busy: CoresBusy): string {
  const cores = (value: number | null) => (value === null ? '-' : value.toFixed(2));
  return [
    label.padEnd(10),
    String(gateways).padStart(2),
    String(workers).padStart(3),
    `${row.p50.toFixed(1)} ms`.padStart(11),
    `${row.p99.toFixed(1)} ms`.padStart(11),
    `${row.throughput.toFixed(0)} req/s`.padStart(12),
    (ideal === null ? '-' : ideal.toFixed(0)).padStart(8),
    String(row.errors).padStart(7),
    ' '.repeat(13),
    cores(busy.loadGenerator).padStart(8),
    cores(busy.gateways).padStart(9),
    cores(busy.workers).padStart(8),
    cores(busy.redis).padStart(6),
    cores(busy.machine).padStart(8),
    // What the rest of the machine (other programs, PostgreSQL, the kernel) took: a quiet machine shows ~0 here.
    `(${cores(busy.machine === null || busy.gateways === null || busy.workers === null ? null : busy.machine - busy.loadGenerator - busy.gateways - busy.workers - busy.redis)})`.padStart(10),
  ].join(' ');
}

if (require.main === module) runBenchWithVisionRedis(printScaleOut);
