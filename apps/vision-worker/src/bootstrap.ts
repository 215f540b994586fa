import { Logger } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { type DestinationStream, pino } from 'pino';
import { createNestApp } from '@nomosly/http';
import { baseLoggerOptions } from '@nomosly/logging';
import { DependencyWatch, addressOf, observeHttpLatency, stopOnSignals } from '@nomosly/observability';
import { WorkerModule } from './app.module';
import type { WorkerConfig } from './config';
import { WorkerMetrics } from './metrics';
import { checkWorkerVisionRedis } from './vision-redis-check';

export async function createWorker(config: WorkerConfig, logDestination?: DestinationStream): Promise<NestFastifyApplication> {
  // Before the Nest app (and its logger) exists: the same pino lines, straight from pino.
  const logger = pino(baseLoggerOptions({ service: 'vision-worker', level: config.LOG_LEVEL, pretty: config.LOG_PRETTY }), logDestination);
  const line = (level: 'info' | 'warn' | 'error', context: string) => (fields: Record<string, unknown>) => {
    const { msg, ...rest } = fields;
    logger[level]({ context, ...rest }, String(msg));
  };
  // While it starts (waiting for its Redis, loading its engine) it holds no job: SIGTERM ends it at once, code 0.
  const stopStarting = stopOnSignals({
    timeoutMs: config.SHUTDOWN_TIMEOUT_MS,
    log: { log: line('info', 'Shutdown'), error: line('error', 'Shutdown') },
    stop: async () => undefined,
  });
  try {
    const outage = new DependencyWatch({
      dependency: 'vision-redis',
      address: addressOf(config.VISION_REDIS_URL),
      reminderMs: config.OUTAGE_REMINDER_MS,
      log: { warn: line('warn', 'Dependencies'), log: line('info', 'Dependencies') },
    });
    // P1 first: nothing is taken from a vision Redis that could keep it.
    const skipped = await checkWorkerVisionRedis(config, (text) => logger.error({ context: 'VisionRedis' }, text), undefined, outage);
    const metrics = new WorkerMetrics();
    const app = await createNestApp({
      service: 'vision-worker',
      module: WorkerModule.register(config, metrics, logDestination),
      log: { level: config.LOG_LEVEL, pretty: config.LOG_PRETTY, destination: logDestination },
      bodyLimit: 64 * 1024,
      instrument: (fastify) => observeHttpLatency(fastify, metrics.httpDuration),
    });
    if (skipped) new Logger('VisionRedis').warn(skipped);
    return app;
  } finally {
    // main.ts hands the signals to stopNestAppOnSignals next, in the same tick.
    stopStarting();
  }
}
