import { randomBytes } from 'node:crypto';
import { type RunningApp, createKeyWithCli, startApp } from './app-process';
import { TEST_DATABASE_URL, TEST_REDIS_URL, uniquePrefix } from './services';

export interface TestSystem {
  gateway: RunningApp;
  worker: RunningApp | null;
  prefix: string;
  env: Record<string, string>;
  /** A key with every scope, made with the admin CLI. */
  key: string;
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
  engine?: 'local' | 'null';
  /** Start without a worker: every call waits for the deadline. */
  withoutWorker?: boolean;
  deadlineMs?: number;
  gatewayEnv?: Record<string, string>;
}

/** A gateway and a vision worker on a queue prefix of their own, against the real PostgreSQL and Redis. */
export async function startTestSystem(options: TestSystemOptions): Promise<TestSystem> {
  const prefix = uniquePrefix(options.label);
  const env = {
    DATABASE_URL: TEST_DATABASE_URL,
    VISION_REDIS_URL: TEST_REDIS_URL,
    QUEUE_PREFIX: prefix,
    ENGINE: options.engine ?? 'local',
    VISION_DEADLINE_MS: String(options.deadlineMs ?? 30_000),
  };
  const email = `${options.label}-${randomBytes(4).toString('hex')}@test.nomosly.local`;
  const createKey = (extra: string[] = []) => createKeyWithCli(TEST_DATABASE_URL, email, extra);
  const startWorker = () => startApp('vision-worker', env);
  const [worker, gateway] = await Promise.all([
    options.withoutWorker ? Promise.resolve(null) : startWorker(),
    startApp('gateway', { ...env, ...options.gatewayEnv }),
  ]);
  const system: TestSystem = {
    gateway,
    worker,
    prefix,
    env,
    key: createKey(),
    createKey,
    startWorker,
    stop: async () => {
      await Promise.all([gateway.stop(), system.worker?.stop()]);
    },
  };
  return system;
}
