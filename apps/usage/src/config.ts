import { z } from 'zod';
import { baseConfigSchema, env, loadConfig, queueWorkerEnv } from '@nomosly/config';
import { retentionEnv } from '@nomosly/contracts';

export const usageConfigSchema = baseConfigSchema.extend({
  /** Port of the app's own HTTP surface: /healthz, /readyz, /metrics. */
  PORT: env.port(3003),
  DATABASE_URL: env.url(['postgres', 'postgresql'], 'postgres://postgres@127.0.0.1:5432/nomosly'),
  /** Carries the events queue and the maintenance queue; should run with AOF. */
  EVENTS_REDIS_URL: env.url(['redis', 'rediss'], 'redis://127.0.0.1:6379'),
  QUEUE_PREFIX: env.queuePrefix(),
  ...queueWorkerEnv,
  ...retentionEnv,
  /**
   * When the retention sweep runs (a cron pattern, UTC; hourly by default). Empty: this deployment schedules
   * none, as tests do so that no sweep touches the database they share.
   */
  RETENTION_SWEEP_CRON: z.string().default('0 * * * *'),
  /** Events written to Postgres in one transaction, at most. */
  USAGE_BATCH_SIZE: env.positiveInt(500),
  /** How long the first event of a batch waits for others before the batch is written. */
  USAGE_BATCH_WAIT_MS: env.positiveInt(50),
  /** Event jobs one process holds at once (each waits for its batch): bounds how large batches can grow. */
  USAGE_CONCURRENCY: env.positiveInt(1000),
});
export type UsageConfig = z.infer<typeof usageConfigSchema>;

export const USAGE_CONFIG = Symbol('USAGE_CONFIG');

export function loadUsageConfig(source: NodeJS.ProcessEnv = process.env): UsageConfig {
  return loadConfig(usageConfigSchema, source);
}
