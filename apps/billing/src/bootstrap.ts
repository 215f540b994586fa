import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { DestinationStream } from 'pino';
import { createNestApp } from '@nomosly/http';
import { observeHttpLatency } from '@nomosly/observability';
import { BillingModule } from './app.module';
import type { BillingConfig } from './config';
import { BillingMetrics } from './metrics';

export async function createBillingApp(config: BillingConfig, logDestination?: DestinationStream): Promise<NestFastifyApplication> {
  const metrics = new BillingMetrics();
  return createNestApp({
    service: 'billing',
    module: BillingModule.register(config, metrics, logDestination),
    log: { level: config.LOG_LEVEL, pretty: config.LOG_PRETTY, destination: logDestination },
    // Polar's webhook bodies (an order with its items, a subscription with its product) stay well under this.
    bodyLimit: 1024 * 1024,
    // The webhook signature is over the exact bytes Polar sent.
    nestOptions: { rawBody: true },
    instrument: (fastify) => observeHttpLatency(fastify, metrics.httpDuration),
  });
}
