import { withVisionRedis } from '@nomosly/testing';

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
