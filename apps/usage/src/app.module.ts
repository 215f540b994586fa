import { type DynamicModule, Global, Module } from '@nestjs/common';
import { BullModule, getQueueToken } from '@nestjs/bullmq';
import { MikroOrmModule } from '@mikro-orm/nestjs';
import { EntityManager } from '@mikro-orm/postgresql';
import type { Queue } from 'bullmq';
import Redis from 'ioredis';
import { LoggerModule } from 'nestjs-pino';
import type { DestinationStream } from 'pino';
import { QueueName } from '@nomosly/contracts';
import { ormConfig } from '@nomosly/db';
import { nestLoggerParams } from '@nomosly/logging';
import { DependencyWatches, OpsModule, READINESS_CHECKS, configureWorkerLocks, createDependencyWatches, postgresDriverOptions, postgresProbeProvider, type ReadinessCheck } from '@nomosly/observability';
import { AccountDeletion } from './account-deletion/account-deletion.service';
import { AccountPurger } from './account-deletion/account-purger';
import { USAGE_CONFIG, type UsageConfig } from './config';
import { EventIngest } from './events/event-ingest.service';
import { EventsProcessor } from './events/events.processor';
import { UsageStore } from './events/usage-store';
import { UsageMetrics } from './metrics';
import { MaintenanceProcessor } from './retention/maintenance.processor';
import { RetentionSweeper } from './retention/retention-sweeper';

// Small event streams: nothing reads them, and they would otherwise keep ~10,000 entries per queue. The billing
// queue only to add to: the purge asks the billing app to delete a deleted workspace's Polar customer.
const QUEUES = [QueueName.Events, QueueName.Maintenance, QueueName.Billing].map((name) => ({ name, streams: { events: { maxLen: 100 } } }));
const QUEUES_WATCHED = Symbol('QUEUES_WATCHED');

@Global()
@Module({})
class UsageCoreModule {
  static register(config: UsageConfig, metrics: UsageMetrics, watches: DependencyWatches): DynamicModule {
    return {
      module: UsageCoreModule,
      imports: [
        BullModule.forRoot({
          connection: watches.redis('events-redis', new Redis(config.EVENTS_REDIS_URL, { maxRetriesPerRequest: null, connectionName: 'usage' })),
          prefix: config.QUEUE_PREFIX,
        }),
        BullModule.registerQueue(...QUEUES),
      ],
      providers: [
        { provide: USAGE_CONFIG, useValue: config },
        { provide: UsageMetrics, useValue: metrics },
        { provide: DependencyWatches, useValue: watches },
        {
          provide: QUEUES_WATCHED,
          inject: QUEUES.map(({ name }) => getQueueToken(name)),
          useFactory: (...queues: Queue[]) => queues.map((queue) => watches.bullmq('events-redis', `${queue.name} queue`, queue)),
        },
      ],
      exports: [USAGE_CONFIG, UsageMetrics, DependencyWatches, BullModule],
    };
  }
}

@Module({})
export class UsageModule {
  static register(config: UsageConfig, metrics: UsageMetrics, logDestination?: DestinationStream): DynamicModule {
    for (const processor of [EventsProcessor, MaintenanceProcessor]) configureWorkerLocks(processor, config);
    const watches = createDependencyWatches(metrics.registry, { reminderMs: config.OUTAGE_REMINDER_MS });
    return {
      module: UsageModule,
      imports: [
        LoggerModule.forRoot(nestLoggerParams({ service: 'usage', level: config.LOG_LEVEL, pretty: config.LOG_PRETTY }, logDestination)),
        MikroOrmModule.forRoot({ ...ormConfig({ url: config.DATABASE_URL }), registerRequestContext: false, driverOptions: postgresDriverOptions() }),
        UsageCoreModule.register(config, metrics, watches),
        OpsModule.register({
          registry: metrics.registry,
          readiness: {
            provide: READINESS_CHECKS,
            inject: [EntityManager, getQueueToken(QueueName.Events)],
            useFactory: (em: EntityManager, queue: Queue): ReadinessCheck[] => [
              // The schema, not only the server: without the usage tables no event can be recorded.
              watches.readiness('postgres', async () => void (await em.getConnection().execute('select 1 from usage_records limit 0'))),
              watches.readiness('events-redis', async () => void (await ((await queue.client) as unknown as Redis).ping())),
            ],
          },
        }),
      ],
      providers: [
        postgresProbeProvider({ url: config.DATABASE_URL, intervalMs: config.DEPENDENCY_PROBE_MS, entityManager: EntityManager }),
        UsageStore,
        EventIngest, EventsProcessor, RetentionSweeper, AccountPurger, AccountDeletion, MaintenanceProcessor],
    };
  }
}
