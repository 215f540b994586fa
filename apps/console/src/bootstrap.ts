import { NestFactory } from '@nestjs/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Logger as PinoNestLogger } from 'nestjs-pino';
import { pino, type DestinationStream } from 'pino';
import { createFastifyAdapter } from '@nomosly/http';
import { baseLoggerOptions } from '@nomosly/logging';
import { observeHttpLatency } from '@nomosly/observability';
import { ConsoleModule } from './app.module';
import type { ConsoleConfig } from './config';
import { ConsoleErrorFilter } from './http/console-error.filter';
import { ConsoleMetrics } from './metrics';

/** Console API bodies are small JSON documents. */
const BODY_LIMIT = 64 * 1024;

/** The console API, ready to listen (routes are registered when it starts listening or is initialised). */
export async function createConsole(config: ConsoleConfig, logDestination?: DestinationStream): Promise<NestFastifyApplication> {
  const metrics = new ConsoleMetrics();
  const adapter = createFastifyAdapter({ bodyLimit: BODY_LIMIT });
  const logger = pino(baseLoggerOptions({ service: 'console', level: config.LOG_LEVEL, pretty: config.LOG_PRETTY }), logDestination);
  observeHttpLatency(adapter.getInstance(), metrics.httpDuration);

  const app = await NestFactory.create<NestFastifyApplication>(ConsoleModule.register(config, metrics, logDestination), adapter, {
    bufferLogs: true,
    abortOnError: false,
  });
  app.useLogger(app.get(PinoNestLogger));
  app.useGlobalFilters(new ConsoleErrorFilter(logger));
  app.enableShutdownHooks();
  return app;
}
