import { withVisionRedis, type RunningApp } from '@nomosly/testing';

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
