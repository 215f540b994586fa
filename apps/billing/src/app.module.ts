import { type DynamicModule, Global, Module } from '@nestjs/common';
import { BullModule } from '@nestjs/bullmq';
import { MikroOrmModule } from '@mikro-orm/nestjs';
import { EntityManager } from '@mikro-orm/postgresql';
import Redis from 'ioredis';
import { LoggerModule } from 'nestjs-pino';
import type { DestinationStream } from 'pino';
import { polarProviders } from '@nomosly/billing';
import { QueueName } from '@nomosly/contracts';
import { ormConfig } from '@nomosly/db';
import { nestLoggerParams } from '@nomosly/logging';
import { OpsModule, READINESS_CHECKS, type ReadinessCheck } from '@nomosly/observability';
import { BillingQueueProcessor } from './billing-queue.processor';
import { BILLING_CONFIG, type BillingConfig } from './config';
import { PolarCustomerDeletion } from './customers/polar-customer-deletion';
import { EventsRedis } from './events-redis';
import { ledgerProviders } from './ledger/ledger.providers';
import { BillingMetrics } from './metrics';
import { LedgerWindow } from './reconciliation/ledger-window';
import { PolarUsage } from './reconciliation/polar-usage';
import { Reconciler } from './reconciliation/reconciler';
import { PolarWebhooksController, PolarWebhooksService } from './webhooks';

@Global()
@Module({})
class BillingCoreModule {
  static register(config: BillingConfig, metrics: BillingMetrics): DynamicModule {
    const polar = polarProviders(BILLING_CONFIG);
    return {
      module: BillingCoreModule,
      imports: [
        BullModule.forRoot({
          connection: new Redis(config.EVENTS_REDIS_URL, { maxRetriesPerRequest: null, connectionName: 'billing-queue' }),
          prefix: config.QUEUE_PREFIX,
        }),
        BullModule.registerQueue({ name: QueueName.Billing, streams: { events: { maxLen: 100 } } }),
      ],
      providers: [{ provide: BILLING_CONFIG, useValue: config }, { provide: BillingMetrics, useValue: metrics }, EventsRedis, ...polar],
      exports: [BILLING_CONFIG, BillingMetrics, BullModule, EventsRedis, ...polar],
    };
  }
}

@Module({})
export class BillingModule {
  static register(config: BillingConfig, metrics: BillingMetrics, logDestination?: DestinationStream): DynamicModule {
    return {
      module: BillingModule,
      imports: [
        LoggerModule.forRoot(nestLoggerParams({ service: 'billing', level: config.LOG_LEVEL, pretty: config.LOG_PRETTY }, logDestination)),
        MikroOrmModule.forRoot({ ...ormConfig({ url: config.DATABASE_URL }), registerRequestContext: false }),
        BillingCoreModule.register(config, metrics),
        OpsModule.register({
          registry: metrics.registry,
          readiness: {
            provide: READINESS_CHECKS,
            inject: [EntityManager, EventsRedis],
            // Polar is not a readiness check: while it is down, usage waits in the ledger and webhooks still land.
            useFactory: (em: EntityManager, redis: EventsRedis): ReadinessCheck[] => [
              { name: 'postgres', check: async () => void (await em.getConnection().execute('select 1 from billing_ledger limit 0')) },
              { name: 'events-redis', check: async () => void (await redis.client.ping()) },
            ],
          },
        }),
      ],
      // Each part of the app adds its providers and controllers here: the ledger sender, the webhooks, the reconciliation.
      providers: [...ledgerProviders, PolarWebhooksService, LedgerWindow, PolarUsage, Reconciler, PolarCustomerDeletion, BillingQueueProcessor],
      controllers: [PolarWebhooksController],
    };
  }
}
