import { randomBytes } from 'node:crypto';
import Redis from 'ioredis';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { type RunningApp, createKeyInWorkspace, createKeyWithCli, startApp } from './app-process';
import { REPO_ROOT } from './paths';
import { until } from './until';
import { TEST_DATABASE_URL, TEST_REDIS_URL, uniquePrefix } from './services';

export interface TestSystem {
  gateway: RunningApp;
  worker: RunningApp | null;
  /** With engine `rekognition`: everything the Rekognition stand-in wrote to stdout and stderr so far. */
  standInLogs(): string;
  prefix: string;
  env: Record<string, string>;
  /** A key with every scope, made with the admin CLI. */
  key: string;
  /** The workspace of `key` (and of every key createKey makes): the test user's personal workspace. */
  workspaceId: string;
  /** Makes another key for this system's test user (for example with fewer scopes). */
  createKey(extra?: string[]): string;
  /** Starts another worker on the same queue (after one was killed). */
  startWorker(): Promise<RunningApp>;
  stop(): Promise<void>;
}

/** The system's current worker; fails the test when it was started without one. */
export function workerOf(system: TestSystem): RunningApp {
  if (!system.worker) throw new Error('this test system runs without a worker');
  return system.worker;
}

export interface TestSystemOptions {
  label: string;
  /** `rekognition`: the rekognition engine (real AWS SDK) against the local Rekognition stand-in. */
  engine?: 'local' | 'null' | 'rekognition';
  /** With engine `rekognition`: the stand-in's environment (REKOGNITION_LOCAL_FAULT, say). */
  standInEnv?: Record<string, string>;
  /** Start without a worker: every call waits for the deadline. */
  withoutWorker?: boolean;
  deadlineMs?: number;
  gatewayEnv?: Record<string, string>;
  workerEnv?: Record<string, string>;
  /** TEST_DATABASE_URL unless the test has a database of its own (createScratchDatabase). */
  databaseUrl?: string;
}

/**
 * The plans test systems run with unless a test sets PLANS itself: a `free` plan no suite reaches, so that suites
 * about other things (they send bursts of calls with one key) are not refused by the default 10 per second.
 */
export const GENEROUS_TEST_PLANS = JSON.stringify({
  free: { rateLimitPerSecond: 100_000, monthlyUnitQuota: 1_000_000_000, centsPerThousandUnits: 0 },
});

/** Plans under which only a workspace's calls in flight limit it (no rate or quota is reached): fairness runs. */
export function plansLimitingOnlyInFlight(maxInFlight: number): string {
  return JSON.stringify({
    free: {
      rateLimitPerSecond: 100_000,
      workspaceRequestsPerSecond: 100_000,
      maxInFlight,
      monthlyUnitQuota: 1_000_000_000,
      centsPerThousandUnits: 0,
    },
  });
}

/** A gateway and a vision worker on a queue prefix of their own, against the real PostgreSQL and Redis. */
export async function startTestSystem(options: TestSystemOptions): Promise<TestSystem> {
  const prefix = uniquePrefix(options.label);
  const standIn = options.engine === 'rekognition' ? await startRekognitionStandIn(options.standInEnv) : null;
  const databaseUrl = options.databaseUrl ?? TEST_DATABASE_URL;
  const env: Record<string, string> = {
    DATABASE_URL: databaseUrl,
    VISION_REDIS_URL: TEST_REDIS_URL,
    EVENTS_REDIS_URL: TEST_REDIS_URL,
    PLANS: GENEROUS_TEST_PLANS,
    QUEUE_PREFIX: prefix,
    ENGINE: options.engine ?? 'local',
    VISION_DEADLINE_MS: String(options.deadlineMs ?? 30_000),
    ...(standIn?.workerEnv ?? {}),
  };
  const email = `${options.label}-${randomBytes(4).toString('hex')}@test.nomosly.local`;
  const createKey = (extra: string[] = []) => createKeyWithCli(databaseUrl, email, extra);
  const gatewayStarted = startApp('gateway', { ...env, ...options.gatewayEnv });
  // A new worker is ready when the gateway has counted it (it refuses calls while it sees none).
  const startWorker = async () => {
    const started = await startApp('vision-worker', { ...env, ...options.workerEnv });
    await waitForWorkers((await gatewayStarted).url, 1);
    return started;
  };
  const [worker, gateway] = await Promise.all([options.withoutWorker ? Promise.resolve(null) : startWorker(), gatewayStarted]);
  const first = createKeyInWorkspace(databaseUrl, email);
  const system: TestSystem = {
    gateway,
    worker,
    standInLogs: () => standIn?.logs() ?? '',
    prefix,
    env,
    key: first.secret,
    workspaceId: first.workspaceId,
    createKey,
    startWorker,
    stop: async () => {
      await Promise.all([gateway.stop(), system.worker?.stop(), standIn?.stop()]);
      await deleteKeys(TEST_REDIS_URL, `${prefix}:*`);
    },
  };
  return system;
}

/** Removes a finished test system's queue keys (meta, ids, event streams), so runs do not pile up in Redis. */
export async function deleteKeys(url: string, pattern: string): Promise<void> {
  const redis = new Redis(url);
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 500);
      cursor = next;
      if (keys.length) await redis.unlink(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

/** Waits until a gateway reports at least `count` vision workers on its queue (its `vision_workers` gauge). */
export async function waitForWorkers(gatewayUrl: string, count: number, timeoutMs = 15_000): Promise<void> {
  await until(
    async () => {
      const metrics = await (await fetch(`${gatewayUrl}/metrics`)).text();
      return Number(/^vision_workers\{[^}]*\} (\d+)$/m.exec(metrics)?.[1] ?? 0) >= count;
    },
    { what: `the gateway at ${gatewayUrl} seeing ${count} vision worker(s)`, timeoutMs, intervalMs: 100 },
  );
}

/** The Rekognition stand-in (tools/rekognition-local) as its own process, with test credentials. */
export async function startRekognitionStandIn(
  extraEnv: Record<string, string> = {},
): Promise<{ url: string; workerEnv: Record<string, string>; logs(): string; stop(): Promise<void> }> {
  const credentials = { AWS_ACCESS_KEY_ID: 'AKIDNOMOSLYTEST', AWS_SECRET_ACCESS_KEY: `test-${randomBytes(8).toString('hex')}` };
  const child = spawn(process.execPath, [path.join(REPO_ROOT, 'dist/tools/rekognition-local/src/main.js')], {
    cwd: REPO_ROOT,
    env: { PATH: process.env.PATH ?? '', PORT: '0', ...credentials, ...extraEnv },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let output = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`rekognition-local did not start:\n${output}`)), 60_000);
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /rekognition-local (http:\/\/\S+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', (code) => reject(new Error(`rekognition-local exited with ${code}:\n${output}`)));
  });
  return {
    url,
    workerEnv: { AWS_ENDPOINT: url, AWS_REGION: 'us-east-1', ...credentials },
    logs: () => output,
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
