import Redis from 'ioredis';
import { type DependencyWatch, VisionRedisWatch, isConnectionError } from '@nomosly/observability';
import type { WorkerConfig } from './config';
/** After this long without an answer, the worker gives up starting (its supervisor starts it again). */
export const START_CHECK_WAIT_MS = 60_000;

/**
 * P1 before the worker takes a job, with the gateway's check (VisionRedisWatch): waits for the vision Redis to
 * answer, at most START_CHECK_WAIT_MS, then throws one line naming each setting that would let it keep anything
 * (see checkVisionRedis). Returns the line to log when the check was skipped by VISION_REDIS_PERSISTENCE_CHECKED=1,
 * else null. While the Redis does not answer, its connection's failures go to `outage` (the outage's structured
 * lines: dependency_down, dependency_still_down, dependency_up), nothing else.
 */
export async function checkWorkerVisionRedis(
  config: WorkerConfig,
  say: (line: string) => void,
  waitMs: number = START_CHECK_WAIT_MS,
  outage?: DependencyWatch,
): Promise<string | null> {
  const redis = new Redis(config.VISION_REDIS_URL, { maxRetriesPerRequest: null, connectionName: 'vision-worker:settings-check' });
  redis.on('error', (error) => {
    if (isConnectionError(error)) outage?.failed('settings check', error);
  });
  redis.on('ready', () => outage?.recovered('settings check'));
  let skipped: string | null = null;
  const watch = new VisionRedisWatch(redis, {
    persistenceChecked: config.VISION_REDIS_PERSISTENCE_CHECKED,
    log: { warn: (line) => (skipped = line), error: say },
  });
  try {
    if (!(await watch.start(waitMs))) {
      throw new Error(`the vision Redis at ${redactedUrl(config.VISION_REDIS_URL)} did not answer within ${waitMs / 1000} s`);
    }
    return skipped;
  } finally {
    watch.stop();
    redis.disconnect();
  }
}

/** The URL without its password, for a log line. */
function redactedUrl(url: string): string {
  const parsed = new URL(url);
  if (parsed.password) parsed.password = '***';
  return parsed.toString();
}
