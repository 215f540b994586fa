import sharp from 'sharp';
import { GENEROUS_TEST_PLANS, TEST_DATABASE_URL, fixture, uniquePrefix, withVisionRedis, type RunningApp } from '@nomosly/testing';

/** The database the bench's apps use: DATABASE_URL, else the tests' one. */
export const BENCH_DATABASE_URL = process.env.DATABASE_URL ?? TEST_DATABASE_URL;

/**
 * What every bench gateway and worker starts with: one Redis as both the vision and the events Redis, a queue prefix
 * of its own, a plan no bench reaches (the figures are the system's cost, not its refusals), NODE_ENV=test (the
 * null engine runs only there) and quiet logs.
 */
export interface BenchAppEnv extends Record<string, string> {
  QUEUE_PREFIX: string;
}

export function benchAppEnv(redisUrl: string, label: string): BenchAppEnv {
  return {
    DATABASE_URL: BENCH_DATABASE_URL,
    VISION_REDIS_URL: redisUrl,
    EVENTS_REDIS_URL: redisUrl,
    PLANS: GENEROUS_TEST_PLANS,
    QUEUE_PREFIX: uniquePrefix(label),
    NODE_ENV: 'test',
    LOG_LEVEL: 'warn',
  };
}

/** The bench's images: a small JPEG (the gateway's own cost) and a 640 x 480 photo (the engines' work). */
export async function benchImages(): Promise<{ small: Buffer; photo: Buffer }> {
  const [small, photo] = await Promise.all([
    sharp(fixture('grace_hopper.jpg')).resize(128, 128).jpeg({ quality: 85 }).toBuffer(),
    sharp(fixture('grace_hopper.jpg')).resize(640, 480, { fit: 'cover' }).jpeg({ quality: 90 }).toBuffer(),
  ]);
  return { small, photo };
}

/** Runs a benchmark to its end: exit 0, or say why it failed and exit 1. */
export function runBench(bench: () => Promise<void>): void {
  bench().then(
    () => process.exit(0),
    (error: Error) => {
      console.error(`bench failed: ${error.stack ?? error.message}`);
      process.exit(1);
    },
  );
}

/** Runs a benchmark whose apps need a vision Redis: VISION_REDIS_URL, else one of its own that keeps nothing (P1). */
export function runBenchWithVisionRedis(bench: (redisUrl: string) => Promise<void>): void {
  runBench(() => withVisionRedis(process.env.VISION_REDIS_URL, bench));
}

/** Starts apps side by side; when one fails to start, stops those that did (no orphan process) and throws. */
export async function startAll(starts: Array<Promise<RunningApp>>): Promise<RunningApp[]> {
  const settled = await Promise.allSettled(starts);
  const failure = settled.find((result): result is PromiseRejectedResult => result.status === 'rejected');
  const apps = settled.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
  if (failure) {
    await Promise.all(apps.map((app) => app.stop()));
    throw failure.reason;
  }
  return apps;
}
