import { z } from 'zod';

/**
 * What each vision worker process says of its capacity, so that gateways can estimate how long a new job would
 * wait in the queue (admission by queue wait). Workers write it about once a second into one hash on the vision
 * Redis, a field per worker process; counts and timings only, nothing of any call.
 */
export const workerCapacitySchema = z.object({
  /** Jobs the process runs at once (VISION_CONCURRENCY). */
  slots: z.number().int().positive(),
  /** A moving average of how long one job holds a slot, in ms; null until the process has run a job. */
  serviceMs: z.number().positive().nullable(),
  /** When the report was written (ms since the epoch): a report older than WORKER_CAPACITY_STALE_MS is ignored. */
  at: z.number().int().nonnegative(),
});
export type WorkerCapacity = z.infer<typeof workerCapacitySchema>;

/** How often a worker rewrites its report. */
export const WORKER_CAPACITY_REPORT_MS = 1_000;
/** A report not rewritten for this long is a worker that is gone (killed, or its Redis connection lost). */
export const WORKER_CAPACITY_STALE_MS = 5_000;

/** The hash of capacity reports on the vision Redis: one field per worker process. */
export const workerCapacityKey = (prefix: string) => `${prefix}:vision-capacity`;
