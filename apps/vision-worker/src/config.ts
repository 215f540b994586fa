import { z } from 'zod';
import { baseConfigSchema, env, loadConfig, queueWorkerEnv } from '@nomosly/config';

export const workerConfigSchema = baseConfigSchema.extend({
  /** Port of the worker's own HTTP surface: /healthz, /readyz, /metrics. */
  PORT: env.port(3001),
  VISION_REDIS_URL: env.url(['redis', 'rediss'], 'redis://127.0.0.1:6379'),
  /** As the gateway's: where the vision Redis refuses CONFIG, its settings were checked by hand (P1). */
  VISION_REDIS_PERSISTENCE_CHECKED: env.boolean(false),
  /** Jobs one process runs at once. The local engine is CPU-bound: scale with processes, not concurrency. */
  VISION_CONCURRENCY: env.positiveInt(1),
  ENGINE: z
    .enum(['local', 'rekognition', 'null'], { message: 'expected local, rekognition or null (null: benchmarks and tests only)' })
    .default('local'),
  /** ENGINE=rekognition: the AWS region, an optional endpoint (the local stand-in), optional static credentials. */
  AWS_REGION: z.string().min(1).default('us-east-1'),
  AWS_ENDPOINT: env.url(['http', 'https'], 'https://rekognition.us-east-1.amazonaws.com').optional(),
  AWS_ACCESS_KEY_ID: z.string().min(1).optional(),
  AWS_SECRET_ACCESS_KEY: z.string().min(1).optional(),
  /** With ENGINE=null: milliseconds each call takes (benchmarks and deadline tests). */
  NULL_ENGINE_DELAY_MS: z.coerce.number().int().min(0).max(600_000).default(0),
  /** Debian's tesseract-ocr-eng data, for the local engine's OCR. */
  TESSDATA_FILE: z.string().min(1).default('/usr/share/tesseract-ocr/5/tessdata/eng.traineddata'),
  QUEUE_PREFIX: env.queuePrefix(),
  ...queueWorkerEnv,
}).superRefine(refuseNullEngineOutsideTests);

/** The null engine answers every call empty, and each of those calls is billed: tests and benchmarks only. */
function refuseNullEngineOutsideTests(config: { NODE_ENV: string; ENGINE: string }, context: z.RefinementCtx): void {
  if (config.ENGINE === 'null' && config.NODE_ENV !== 'test') {
    context.addIssue({
      code: 'custom',
      path: ['ENGINE'],
      message: `ENGINE=null answers every call empty (and bills it): it runs only with NODE_ENV=test, not ${config.NODE_ENV}`,
    });
  }
}
export type WorkerConfig = z.infer<typeof workerConfigSchema>;

export const WORKER_CONFIG = Symbol('WORKER_CONFIG');

export function loadWorkerConfig(source: NodeJS.ProcessEnv = process.env): WorkerConfig {
  return loadConfig(workerConfigSchema, source);
}
