import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { DestinationStream } from 'pino';
import { createNestApp } from '@nomosly/http';
import { observeHttpLatency } from '@nomosly/observability';
import { BillingModule } from './app.module';
import type { BillingConfig } from './config';
import { BillingMetrics } from './metrics';
import { installRawBodyParser } from './webhooks';

/** Polar's webhook bodies (an order with its items, a subscription with its product) stay well under this. */
const BODY_LIMIT = 1024 * 1024;

export async function createBillingApp(config: BillingConfig, logDestination?: DestinationStream): Promise<NestFastifyApplication> {
  const metrics = new BillingMetrics();
  return createNestApp({
    service: 'billing',
    module: BillingModule.register(config, metrics, logDestination),
    log: { level: config.LOG_LEVEL, pretty: config.LOG_PRETTY, destination: logDestination },
    bodyLimit: BODY_LIMIT,
    // The webhook signature is over the exact bytes Polar sent, checked before they are read as JSON: our own parser.
    nestOptions: { bodyParser: false },
    instrument: (fastify) => {
      observeHttpLatency(fastify, metrics.httpDuration);
      installRawBodyParser(fastify, BODY_LIMIT);
    },
  });
}
