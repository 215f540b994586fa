import { type DynamicModule, Global, Module } from '@nestjs/common';
import { MikroOrmModule } from '@mikro-orm/nestjs';
import { EntityManager } from '@mikro-orm/postgresql';
import { LoggerModule } from 'nestjs-pino';
import type { DestinationStream } from 'pino';
import { ormConfig } from '@nomosly/db';
import { nestLoggerParams } from '@nomosly/logging';
import { DependencyWatches, OpsModule, READINESS_CHECKS, createDependencyWatches, postgresDriverOptions, postgresProbeProvider, type ReadinessCheck } from '@nomosly/observability';
import { LimitsStore, limitsStoreOptions } from '@nomosly/limits';
import { ApiKeyAuth } from './auth/api-key-auth';
import { KeyEventsListener } from './auth/key-events.listener';
import { KeyLookupBudget } from './auth/key-lookup-budget';
import { KeyResolver } from './auth/key-resolver.service';
import { GATEWAY_CONFIG, type GatewayConfig } from './config';
import { DocsController } from './docs/docs.controller';
import { CallLimits } from './limits/call-limits.service';
import { EventsQueue } from './events/events-queue';
import { EventsRedis } from './events/events-redis';
import { RequestEvents } from './events/request-events';
import { UsageRecorder } from './events/usage-recorder';
import { GatewayMetrics } from './metrics';
import { VisionController } from './vision/vision.controller';
import { VisionService } from './vision/vision.service';
import { VisionQueue } from './vision/vision-queue.service';

/** Config, metrics, the vision queue, the events Redis and its queue: one instance each, visible to every module of the gateway. */
@Global()
@Module({})
class GatewayCoreModule {
  static register(config: GatewayConfig, metrics: GatewayMetrics, watches: DependencyWatches): DynamicModule {
    return {
      module: GatewayCoreModule,
      providers: [
        { provide: GATEWAY_CONFIG, useValue: config },
        { provide: GatewayMetrics, useValue: metrics },
        { provide: DependencyWatches, useValue: watches },
        postgresProbeProvider({ url: config.DATABASE_URL, intervalMs: config.DEPENDENCY_PROBE_MS, entityManager: EntityManager }),
        VisionQueue,
        EventsRedis,
        EventsQueue,
        KeyLookupBudget,
        KeyResolver,
        KeyEventsListener,
        {
          provide: LimitsStore,
          inject: [EventsRedis],
          useFactory: (events: EventsRedis) => new LimitsStore(events.client, limitsStoreOptions(config.QUEUE_PREFIX)),
        },
      ],
      exports: [GATEWAY_CONFIG, GatewayMetrics, DependencyWatches, VisionQueue, EventsRedis, EventsQueue, KeyResolver, KeyEventsListener, LimitsStore],
    };
  }
}

@Module({})
export class GatewayModule {
  static register(config: GatewayConfig, metrics: GatewayMetrics, logDestination?: DestinationStream): DynamicModule {
    const watches = createDependencyWatches(metrics.registry, { reminderMs: config.OUTAGE_REMINDER_MS });
    return {
      module: GatewayModule,
      imports: [
        LoggerModule.forRoot(
          nestLoggerParams({ service: 'gateway', level: config.LOG_LEVEL, pretty: config.LOG_PRETTY }, logDestination),
        ),
        MikroOrmModule.forRoot({ ...ormConfig({ url: config.DATABASE_URL }), registerRequestContext: false, driverOptions: postgresDriverOptions() }),
        GatewayCoreModule.register(config, metrics, watches),
        OpsModule.register({
          registry: metrics.registry,
          readiness: {
            provide: READINESS_CHECKS,
            inject: [EntityManager, VisionQueue, EventsRedis, KeyEventsListener],
            useFactory: (em: EntityManager, queue: VisionQueue, events: EventsRedis, keyEvents: KeyEventsListener): ReadinessCheck[] => [
              // The schema, not only the server: a database without migrations cannot serve a single call.
              watches.readiness('postgres', async () => void (await em.getConnection().execute('select 1 from api_keys limit 0'))),
              watches.readiness('vision-redis', () => queue.ping()),
              watches.readiness('events-redis', async () => {
                await events.ping();
                if (!keyEvents.isSubscribed()) throw new Error('not subscribed to key events yet');
              }),
            ],
          },
        }),
      ],
      controllers: [VisionController, DocsController],
      providers: [CallLimits, UsageRecorder, RequestEvents, ApiKeyAuth, VisionService],
    };
  }
}
