import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { DestinationStream } from 'pino';
import { createNestApp, installJsonParser } from '@nomosly/http';
import { observeHttpLatency } from '@nomosly/observability';
import { ConsoleModule } from './app.module';
import type { ConsoleConfig } from './config';
import { ConsoleErrorFilter } from './http/console-error.filter';
import { ConsoleMetrics } from './metrics';

const CONSOLE_BODY_LIMIT = 64 * 1024;

/** The console API, ready to listen (routes are registered when it starts listening or is initialised). */
export async function createConsole(config: ConsoleConfig, logDestination?: DestinationStream): Promise<NestFastifyApplication> {
  const metrics = new ConsoleMetrics();
  return createNestApp({
    service: 'console',
    module: ConsoleModule.register(config, metrics, logDestination),
    log: { level: config.LOG_LEVEL, pretty: config.LOG_PRETTY, destination: logDestination },
    // Console API bodies are small JSON documents, read by our parser (a depth cap, API.md's errors) only.
    bodyLimit: CONSOLE_BODY_LIMIT,
    instrument: (fastify) => {
      installJsonParser(fastify, { limit: CONSOLE_BODY_LIMIT });
      observeHttpLatency(fastify, metrics.httpDuration);
    },
    nestOptions: { bodyParser: false },
    errorFilter: (logger) => new ConsoleErrorFilter(logger),
    // The web console signs in against the issuer and its playground calls the gateway: nothing else.
    securityHeaders: { connectOrigins: [config.OIDC_ISSUER, config.CONSOLE_GATEWAY_URL], blobImages: true },
  });
}
