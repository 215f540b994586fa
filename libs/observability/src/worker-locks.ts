import 'reflect-metadata';

/** Where @nestjs/bullmq keeps a @Processor's worker options (not exported by its index). */
const WORKER_METADATA = 'bullmq:worker_metadata';

/**
 * Gives a @Processor class the app's lock and stalled-check periods (QUEUE_LOCK_MS, QUEUE_STALLED_CHECK_MS):
 * the decorator's options are fixed when the class is imported, before the config is read. Called by the app
 * module's register(), before Nest creates the worker.
 */
export function configureWorkerLocks(processor: abstract new (...args: never[]) => unknown, config: { QUEUE_LOCK_MS: number; QUEUE_STALLED_CHECK_MS: number }): void {
  const options = (Reflect.getMetadata(WORKER_METADATA, processor) ?? {}) as Record<string, unknown>;
  Reflect.defineMetadata(WORKER_METADATA, { ...options, lockDuration: config.QUEUE_LOCK_MS, stalledInterval: config.QUEUE_STALLED_CHECK_MS }, processor);
}
