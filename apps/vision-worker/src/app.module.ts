import { type DynamicModule, Global, Module } from '@nestjs/common';
import { BullModule, getQueueToken } from '@nestjs/bullmq';
import type { Queue } from 'bullmq';
import Redis from 'ioredis';
import { LoggerModule } from 'nestjs-pino';
import type { DestinationStream } from 'pino';
import { QueueName } from '@nomosly/contracts';
import { nestLoggerParams } from '@nomosly/logging';
import { DependencyWatches, OpsModule, READINESS_CHECKS, configureWorkerLocks, createDependencyWatches, queueDepthGauge, type ReadinessCheck } from '@nomosly/observability';
import { WORKER_CONFIG, type WorkerConfig } from './config';
import { EngineHolder } from './engine/engine.provider';
import { CapacityReport } from './jobs/capacity-report';
import { VisionJobService } from './jobs/vision-job.service';
import { VisionProcessor } from './jobs/vision.processor';
import { WorkerMetrics } from './metrics';

const QUEUE_DEPTH_GAUGE = Symbol('QUEUE_DEPTH_GAUGE');
const VISION_QUEUE = { name: QueueName.Vision, streams: { events: { maxLen: 100 } } };

@Global()
@Module({})
class WorkerCoreModule {
  static register(config: WorkerConfig, metrics: WorkerMetrics, watches: DependencyWatches): DynamicModule {
    return {
      module: WorkerCoreModule,
      imports: [
        BullModule.forRoot({
          connection: watches.redis('vision-redis', new Redis(config.VISION_REDIS_URL, { maxRetriesPerRequest: null, connectionName: 'vision-worker' })),
          prefix: config.QUEUE_PREFIX,
        }),
        // Registered once: the processor, the readiness check and the queue-depth gauge share one queue.
        BullModule.registerQueue(VISION_QUEUE),
      ],
      providers: [
        { provide: WORKER_CONFIG, useValue: config },
        { provide: WorkerMetrics, useValue: metrics },
        { provide: DependencyWatches, useValue: watches },
        EngineHolder,
        {
          provide: QUEUE_DEPTH_GAUGE,
          inject: [getQueueToken(QueueName.Vision)],
          useFactory: (queue: Queue) => {
            watches.bullmq('vision-redis', 'vision queue', queue);
            return queueDepthGauge(metrics.registry, () => queue.getJobCounts('waiting', 'active', 'delayed', 'failed'));
          },
        },
      ],
      exports: [WORKER_CONFIG, WorkerMetrics, DependencyWatches, EngineHolder, BullModule, QUEUE_DEPTH_GAUGE],
    };
  }
}

@Module({})
export class WorkerModule {
  static register(config: WorkerConfig, metrics: WorkerMetrics, logDestination?: DestinationStream): DynamicModule {
    configureWorkerLocks(VisionProcessor, config);
    const watches = createDependencyWatches(metrics.registry, { reminderMs: config.OUTAGE_REMINDER_MS });
    return {
      module: WorkerModule,
      imports: [
        LoggerModule.forRoot(
          nestLoggerParams({ service: 'vision-worker', level: config.LOG_LEVEL, pretty: config.LOG_PRETTY }, logDestination),
        ),
        WorkerCoreModule.register(config, metrics, watches),
        OpsModule.register({
          registry: metrics.registry,
          readiness: {
            provide: READINESS_CHECKS,
            inject: [getQueueToken(QueueName.Vision), EngineHolder],
            useFactory: (queue: Queue, engines: EngineHolder): ReadinessCheck[] => {
              return [
                watches.readiness('vision-redis', async () => void (await ((await queue.client) as unknown as Redis).ping())),
                {
                  name: 'engine',
                  check: async () => {
                    if (!engines.ready) throw new Error('models are still loading');
                  },
                },
              ];
            },
          },
        }),
      ],
      providers: [VisionJobService, VisionProcessor, CapacityReport],
    };
  }
}
