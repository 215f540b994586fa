import { Logger } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { DestinationStream } from 'pino';
import { createNestApp } from '@nomosly/http';
import { observeHttpLatency } from '@nomosly/observability';
import { WorkerModule } from './app.module';
import type { WorkerConfig } from './config';
import { WorkerMetrics } from './metrics';
import { checkWorkerVisionRedis } from './vision-redis-check';

export async function createWorker(config: WorkerConfig, logDestination?: DestinationStream): Promise<NestFastifyApplication> {
  // P1 first: nothing is taken from a vision Redis that could keep it.
  const skipped = await checkWorkerVisionRedis(config, (line) => process.stderr.write(`vision-worker: ${line}\n`));
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
}
