import { NestFactory } from '@nestjs/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Logger as PinoNestLogger } from 'nestjs-pino';
import { pino, type DestinationStream } from 'pino';
import { PublicErrorFilter, createFastifyAdapter } from '@nomosly/http';
import { baseLoggerOptions } from '@nomosly/logging';
import { observeHttpLatency } from '@nomosly/observability';
import { UsageModule } from './app.module';
import type { UsageConfig } from './config';
import { UsageMetrics } from './metrics';

export async function createUsageApp(config: UsageConfig, logDestination?: DestinationStream): Promise<NestFastifyApplication> {
  const metrics = new UsageMetrics();
  const adapter = createFastifyAdapter({ bodyLimit: 64 * 1024 });
  const logger = pino(baseLoggerOptions({ service: 'usage', level: config.LOG_LEVEL, pretty: config.LOG_PRETTY }), logDestination);
  observeHttpLatency(adapter.getInstance(), metrics.httpDuration);
  const app = await NestFactory.create<NestFastifyApplication>(UsageModule.register(config, metrics, logDestination), adapter, {
    bufferLogs: true,
    abortOnError: false,
  });
  app.useLogger(app.get(PinoNestLogger));
  app.useGlobalFilters(new PublicErrorFilter(logger));
  app.enableShutdownHooks();
  return app;
}
