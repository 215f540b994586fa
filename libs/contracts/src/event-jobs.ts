import type { JobsOptions } from 'bullmq';

/**
 * Options of every job on the events queue, set by its producers. A job that fails (Postgres down) is retried
 * with exponential backoff from 1 s: 20 attempts outlast hours of outage, and a redelivered event is stored
 * once (its id is the record's key). Completed jobs vanish at once; failed ones stay a week for operators.
 */
export const EVENT_JOB_OPTIONS = Object.freeze({
  attempts: 20,
  backoff: { type: 'exponential', delay: 1_000 },
  removeOnComplete: true,
  removeOnFail: { age: 7 * 24 * 3600 },
} satisfies JobsOptions);
