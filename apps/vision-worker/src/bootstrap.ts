import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { DestinationStream } from 'pino';
import { createNestApp } from '@nomosly/http';
import { observeHttpLatency } from '@nomosly/observability';
import { WorkerModule } from './app.module';
import type { WorkerConfig } from './config';
import { WorkerMetrics } from './metrics';

export async function createWorker(config: WorkerConfig, logDestination?: DestinationStream): Promise<NestFastifyApplication> {
  const metrics = new WorkerMetrics();
  return createNestApp({
    service: 'vision-worker',
    module: WorkerModule.register(config, metrics, logDestination),
    log: { level: config.LOG_LEVEL, pretty: config.LOG_PRETTY, destination: logDestination },
    bodyLimit: 64 * 1024,
    instrument: (fastify) => observeHttpLatency(fastify, metrics.httpDuration),
  });
}
