import { NestFactory } from '@nestjs/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Logger as PinoNestLogger } from 'nestjs-pino';
import { pino, type DestinationStream } from 'pino';
import { PublicErrorFilter, createFastifyAdapter } from '@nomosly/http';
import { baseLoggerOptions } from '@nomosly/logging';
import { observeHttpLatency } from '@nomosly/observability';
import { WorkerModule } from './app.module';
import type { WorkerConfig } from './config';
import { WorkerMetrics } from './metrics';

export async function createWorker(config: WorkerConfig, logDestination?: DestinationStream): Promise<NestFastifyApplication> {
  const metrics = new WorkerMetrics();
  const adapter = createFastifyAdapter({ bodyLimit: 64 * 1024 });
  const logger = pino(baseLoggerOptions({ service: 'vision-worker', level: config.LOG_LEVEL, pretty: config.LOG_PRETTY }), logDestination);
  observeHttpLatency(adapter.getInstance(), metrics.httpDuration);
  const app = await NestFactory.create<NestFastifyApplication>(WorkerModule.register(config, metrics, logDestination), adapter, {
    bufferLogs: true,
    abortOnError: false,
  });
  app.useLogger(app.get(PinoNestLogger));
  app.useGlobalFilters(new PublicErrorFilter(logger));
  app.enableShutdownHooks();
  return app;
}
