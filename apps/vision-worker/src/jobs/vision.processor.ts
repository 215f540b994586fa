import { type BeforeApplicationShutdown, Inject, type OnApplicationBootstrap } from '@nestjs/common';
import { Processor, WorkerHost } from '@nestjs/bullmq';
import type { Job } from 'bullmq';
import { QueueName } from '@nomosly/contracts';
import { DependencyWatches } from '@nomosly/observability';
import { WORKER_CONFIG, type WorkerConfig } from '../config';
import { CapacityReport } from './capacity-report';
import { assertEveryOperationHandled } from './vision-handlers';
import { VisionJobService } from './vision-job.service';

/**
 * Consumes the vision queue. It starts taking jobs only once the application has booted, which is after the
 * engine has loaded and warmed up its models. A job whose worker died is not retried: its caller has gone. On
 * SIGTERM it takes no new job and finishes those it holds (BullMQ's Worker.close, within SHUTDOWN_TIMEOUT_MS).
 */
@Processor(QueueName.Vision, { autorun: false, maxStalledCount: 0 })
export class VisionProcessor extends WorkerHost implements OnApplicationBootstrap, BeforeApplicationShutdown {
  constructor(
    private readonly jobs: VisionJobService,
    @Inject(WORKER_CONFIG) private readonly config: WorkerConfig,
    private readonly watches: DependencyWatches,
    private readonly capacity: CapacityReport,
  ) {
    super();
    assertEveryOperationHandled();
  }

  onApplicationBootstrap(): void {
    this.watches.bullmq('vision-redis', 'vision worker', this.worker);
    this.worker.concurrency = this.config.VISION_CONCURRENCY;
    void this.worker.run();
  }

  /**
   * Before any connection closes: the worker takes no new job and finishes those it holds. Left to
   * @nestjs/bullmq's own shutdown hook, it could still take a job after VisionJobService had closed the connection
   * its answers go out on, and that job's caller would wait for the deadline.
   */
  async beforeApplicationShutdown(): Promise<void> {
    await this.worker.close();
  }

  /** The time of each job that ran feeds the capacity report the gateways' admission reads. */
  async process(job: Job): Promise<void> {
    const ms = await this.jobs.handle(job.data);
    if (ms !== null) this.capacity.serviceTime.record(ms);
  }
}
