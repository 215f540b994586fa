import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { DestinationStream } from 'pino';
import { createNestApp } from '@nomosly/http';
import { observeHttpLatency } from '@nomosly/observability';
import { UsageModule } from './app.module';
import type { UsageConfig } from './config';
import { UsageMetrics } from './metrics';

export async function createUsageApp(config: UsageConfig, logDestination?: DestinationStream): Promise<NestFastifyApplication> {
  const metrics = new UsageMetrics();
  return createNestApp({
    service: 'usage',
    module: UsageModule.register(config, metrics, logDestination),
    log: { level: config.LOG_LEVEL, pretty: config.LOG_PRETTY, destination: logDestination },
    bodyLimit: 64 * 1024,
    instrument: (fastify) => observeHttpLatency(fastify, metrics.httpDuration),
  });
}
