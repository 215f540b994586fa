import { Inject, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { Processor, WorkerHost } from '@nestjs/bullmq';
import { type Job, UnrecoverableError } from 'bullmq';
import { EVENT_NAMES, QueueName } from '@nomosly/contracts';
import { DependencyWatches } from '@nomosly/observability';
import { USAGE_CONFIG, type UsageConfig } from '../config';
import { UsageMetrics } from '../metrics';
import { EventIngest } from './event-ingest.service';
import { assertEveryEventHandled } from './event-handlers';
import { InvalidEventError, parseEvent } from './parse-event';

/**
 * Consumes the events queue. Many jobs run at once, each waiting for the batch that holds its event: that is
 * how open-source BullMQ batches. A job that fails with its batch (Postgres down) is retried with the backoff
 * its producer set; an invalid one is failed at once, never retried.
 */
@Processor(QueueName.Events, { autorun: false })
export class EventsProcessor extends WorkerHost implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('EventsProcessor');

  constructor(
    private readonly ingest: EventIngest,
    private readonly metrics: UsageMetrics,
    @Inject(USAGE_CONFIG) private readonly config: UsageConfig,
    private readonly watches: DependencyWatches,
  ) {
    super();
    assertEveryEventHandled();
  }

  onApplicationBootstrap(): void {
    this.watches.bullmq('events-redis', 'events worker', this.worker);
    this.worker.concurrency = this.config.USAGE_CONCURRENCY;
    void this.worker.run();
  }

  async process(job: Job): Promise<void> {
    let item;
    try {
      item = parseEvent(job.name, job.data);
    } catch (error) {
      if (!(error instanceof InvalidEventError)) throw error;
      const known = (EVENT_NAMES as readonly string[]).includes(job.name);
      this.metrics.events.inc({ event: known ? job.name : 'unknown', outcome: 'rejected' });
      this.logger.warn(`rejected ${error.message} (job ${job.id}); it is failed without retry`);
      throw new UnrecoverableError(error.message);
    }
    await this.ingest.ingest(item);
  }

  /** Stops taking jobs, lets the jobs in hand finish with their batch (flushed now), then returns. */
  async onModuleDestroy(): Promise<void> {
    const closing = this.worker.close();
    await this.ingest.flush();
    await closing;
  }
}
