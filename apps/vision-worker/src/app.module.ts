import { type DynamicModule, Global, Module } from '@nestjs/common';
import { BullModule, getQueueToken } from '@nestjs/bullmq';
import type { Queue } from 'bullmq';
import Redis from 'ioredis';
import { LoggerModule } from 'nestjs-pino';
import type { DestinationStream } from 'pino';
import { QueueName } from '@nomosly/contracts';
import { nestLoggerParams } from '@nomosly/logging';
import { OpsModule, READINESS_CHECKS, queueDepthGauge, type ReadinessCheck } from '@nomosly/observability';
import { WORKER_CONFIG, type WorkerConfig } from './config';
import { EngineHolder } from './engine/engine.provider';
import { VisionJobService } from './jobs/vision-job.service';
import { VisionProcessor } from './jobs/vision.processor';
import { WorkerMetrics } from './metrics';

const QUEUE_DEPTH_GAUGE = Symbol('QUEUE_DEPTH_GAUGE');
const VISION_QUEUE = { name: QueueName.Vision, streams: { events: { maxLen: 100 } } };

@Global()
@Module({})
class WorkerCoreModule {
  static register(config: WorkerConfig, metrics: WorkerMetrics): DynamicModule {
    return {
      module: WorkerCoreModule,
      imports: [
        BullModule.forRoot({
          connection: new Redis(config.VISION_REDIS_URL, { maxRetriesPerRequest: null, connectionName: 'vision-worker' }),
          prefix: config.QUEUE_PREFIX,
        }),
        // Registered once: the processor, the readiness check and the queue-depth gauge share one queue.
        BullModule.registerQueue(VISION_QUEUE),
      ],
      providers: [
        { provide: WORKER_CONFIG, useValue: config },
        { provide: WorkerMetrics, useValue: metrics },
        EngineHolder,
        {
          provide: QUEUE_DEPTH_GAUGE,
          inject: [getQueueToken(QueueName.Vision)],
          useFactory: (queue: Queue) => queueDepthGauge(metrics.registry, () => queue.getJobCounts('waiting', 'active', 'delayed', 'failed')),
        },
      ],
      exports: [WORKER_CONFIG, WorkerMetrics, EngineHolder, BullModule, QUEUE_DEPTH_GAUGE],
    };
  }
}

@Module({})
export class WorkerModule {
  static register(config: WorkerConfig, metrics: WorkerMetrics, logDestination?: DestinationStream): DynamicModule {
    return {
      module: WorkerModule,
      imports: [
        LoggerModule.forRoot(
          nestLoggerParams({ service: 'vision-worker', level: config.LOG_LEVEL, pretty: config.LOG_PRETTY }, logDestination),
        ),
        WorkerCoreModule.register(config, metrics),
        OpsModule.register({
          registry: metrics.registry,
          readiness: {
            provide: READINESS_CHECKS,
            inject: [getQueueToken(QueueName.Vision), EngineHolder],
            useFactory: (queue: Queue, engines: EngineHolder): ReadinessCheck[] => {
              return [
                { name: 'vision-redis', check: async () => void (await ((await queue.client) as unknown as Redis).ping()) },
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
      providers: [VisionJobService, VisionProcessor],
    };
  }
}
