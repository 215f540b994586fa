import { type DynamicModule, Global, Module } from '@nestjs/common';
import { BullModule, getQueueToken } from '@nestjs/bullmq';
import { MikroOrmModule } from '@mikro-orm/nestjs';
import { EntityManager } from '@mikro-orm/postgresql';
import type { Queue } from 'bullmq';
import Redis from 'ioredis';
import { LoggerModule } from 'nestjs-pino';
import type { DestinationStream } from 'pino';
import { polarProviders } from '@nomosly/billing';
import { QueueName } from '@nomosly/contracts';
import { ormConfig } from '@nomosly/db';
import { nestLoggerParams } from '@nomosly/logging';
import { DependencyWatches, OpsModule, READINESS_CHECKS, configureWorkerLocks, createDependencyWatches, postgresDriverOptions, postgresProbeProvider, POSTGRES_CLOSE_GRACE_MS, type ReadinessCheck } from '@nomosly/observability';
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

const BILLING_QUEUE_WATCHED = Symbol('BILLING_QUEUE_WATCHED');

@Global()
@Module({})
class BillingCoreModule {
  static register(config: BillingConfig, metrics: BillingMetrics, watches: DependencyWatches): DynamicModule {
    const polar = polarProviders(BILLING_CONFIG);
    return {
      module: BillingCoreModule,
      imports: [
        BullModule.forRoot({
          connection: watches.redis('events-redis', new Redis(config.EVENTS_REDIS_URL, { maxRetriesPerRequest: null, connectionName: 'billing-queue' })),
          prefix: config.QUEUE_PREFIX,
        }),
        BullModule.registerQueue({ name: QueueName.Billing, streams: { events: { maxLen: 100 } } }),
      ],
      providers: [
        { provide: BILLING_CONFIG, useValue: config },
        { provide: BillingMetrics, useValue: metrics },
        { provide: DependencyWatches, useValue: watches },
        {
          provide: BILLING_QUEUE_WATCHED,
          inject: [getQueueToken(QueueName.Billing)],
          useFactory: (queue: Queue) => watches.bullmq('events-redis', 'billing queue', queue),
        },
        EventsRedis,
        ...polar,
      ],
      exports: [BILLING_CONFIG, BillingMetrics, DependencyWatches, BullModule, EventsRedis, ...polar],
    };
  }
}

@Module({})
export class BillingModule {
  static register(config: BillingConfig, metrics: BillingMetrics, logDestination?: DestinationStream): DynamicModule {
    configureWorkerLocks(BillingQueueProcessor, config);
    const watches = createDependencyWatches(metrics.registry, { reminderMs: config.OUTAGE_REMINDER_MS });
    return {
      module: BillingModule,
      imports: [
        LoggerModule.forRoot(nestLoggerParams({ service: 'billing', level: config.LOG_LEVEL, pretty: config.LOG_PRETTY }, logDestination)),
        MikroOrmModule.forRoot({ ...ormConfig({ url: config.DATABASE_URL }), registerRequestContext: false, driverOptions: postgresDriverOptions() }),
        BillingCoreModule.register(config, metrics, watches),
        OpsModule.register({
          registry: metrics.registry,
          readiness: {
            provide: READINESS_CHECKS,
            inject: [EntityManager, EventsRedis],
            // Polar is not a readiness check: while it is down, usage waits in the ledger and webhooks still land.
            useFactory: (em: EntityManager, redis: EventsRedis): ReadinessCheck[] => [
              watches.readiness('postgres', async () => void (await em.getConnection().execute('select 1 from billing_ledger limit 0'))),
              watches.readiness('events-redis', async () => void (await redis.client.ping())),
            ],
          },
        }),
      ],
      // Each part of the app adds its providers and controllers here: the ledger sender, the webhooks, the reconciliation.
      providers: [
        postgresProbeProvider({ url: config.DATABASE_URL, intervalMs: config.DEPENDENCY_PROBE_MS, entityManager: EntityManager, closeGraceMs: postgresCloseGraceMs(config) }),
        ...ledgerProviders, PolarWebhooksService, LedgerWindow, PolarUsage, Reconciler, PolarCustomerDeletion, BillingQueueProcessor],
      controllers: [PolarWebhooksController],
    };
  }
}

/**
 * How long after the stop begins a Postgres connection still in use is taken to hang on a partition and is cut.
 * The ledger sender stops in the same phase (beforeApplicationShutdown) and may wait POLAR_TIMEOUT_MS for its
 * batch before it gives the rows back, in a query of its own: the cut must come after that, yet before the deadline.
 */
function postgresCloseGraceMs(config: BillingConfig): number {
  const afterLedger = config.BILLING_SEND_USAGE ? config.POLAR_TIMEOUT_MS + POSTGRES_CLOSE_GRACE_MS : POSTGRES_CLOSE_GRACE_MS;
  return Math.max(1_000, Math.min(afterLedger, config.SHUTDOWN_TIMEOUT_MS - 1_000));
}
