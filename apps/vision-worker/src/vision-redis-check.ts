import Redis from 'ioredis';
import { checkVisionRedis } from '@nomosly/observability';
import type { WorkerConfig } from './config';

/** After this long without an answer from the vision Redis, the worker says it is waiting for it. */
const WAITING_NOTICE_MS = 5_000;

/**
 * P1 before the worker takes a job: waits for the vision Redis to answer, then throws one line naming each setting
 * that would let it keep anything (see checkVisionRedis). Returns the line to log when the check was skipped by
 * VISION_REDIS_PERSISTENCE_CHECKED=1, else null.
 */
export async function checkWorkerVisionRedis(config: WorkerConfig, say: (line: string) => void): Promise<string | null> {
  const redis = new Redis(config.VISION_REDIS_URL, { maxRetriesPerRequest: null, connectionName: 'vision-worker:settings-check' });
  redis.on('error', () => undefined);
  const waiting = setTimeout(() => say('waiting for the vision Redis to answer before taking jobs'), WAITING_NOTICE_MS);
  try {
    return await checkVisionRedis(redis, { persistenceChecked: config.VISION_REDIS_PERSISTENCE_CHECKED });
  } finally {
    clearTimeout(waiting);
    redis.disconnect();
  }
}
