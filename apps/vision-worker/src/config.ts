import { z } from 'zod';
import { baseConfigSchema, env, loadConfig } from '@nomosly/config';

export const workerConfigSchema = baseConfigSchema.extend({
  /** Port of the worker's own HTTP surface: /healthz, /readyz, /metrics. */
  PORT: env.port(3001),
  VISION_REDIS_URL: env.url(['redis', 'rediss'], 'redis://127.0.0.1:6379'),
  /** Jobs one process runs at once. The local engine is CPU-bound: scale with processes, not concurrency. */
  VISION_CONCURRENCY: env.positiveInt(1),
  ENGINE: z.enum(['local', 'null'], { message: 'expected local or null (null answers at once: benchmarks only)' }).default('local'),
  /** With ENGINE=null: milliseconds each call takes (benchmarks and deadline tests). */
  NULL_ENGINE_DELAY_MS: z.coerce.number().int().min(0).max(600_000).default(0),
  /** Debian's tesseract-ocr-eng data, for the local engine's OCR. */
  TESSDATA_FILE: z.string().min(1).default('/usr/share/tesseract-ocr/5/tessdata/eng.traineddata'),
  QUEUE_PREFIX: z.string().regex(/^[A-Za-z0-9:_-]+$/, 'expected letters, digits, ":", "_" or "-"').default('bull'),
});
export type WorkerConfig = z.infer<typeof workerConfigSchema>;

export const WORKER_CONFIG = Symbol('WORKER_CONFIG');

export function loadWorkerConfig(source: NodeJS.ProcessEnv = process.env): WorkerConfig {
  return loadConfig(workerConfigSchema, source);
}
