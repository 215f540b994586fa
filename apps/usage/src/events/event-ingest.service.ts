import { Inject, Injectable, Logger } from '@nestjs/common';
import { EventName } from '@nomosly/contracts';
import { USAGE_CONFIG, type UsageConfig } from '../config';
import { UsageMetrics } from '../metrics';
import { Batcher } from './batcher';
import { type EventItem, rowsOf } from './event-batch';
import { UsageStore } from './usage-store';

/** Takes validated events one by one and settles each once the batch holding it is in Postgres. */
@Injectable()
export class EventIngest {
  private readonly logger = new Logger('EventIngest');
  private readonly batcher: Batcher<EventItem>;

  constructor(
    private readonly store: UsageStore,
    private readonly metrics: UsageMetrics,
    @Inject(USAGE_CONFIG) config: UsageConfig,
  ) {
    this.batcher = new Batcher((items) => this.writeBatch(items), { maxSize: config.USAGE_BATCH_SIZE, maxWaitMs: config.USAGE_BATCH_WAIT_MS });
  }

  ingest(item: EventItem): Promise<void> {
    return this.batcher.add(item);
  }

  /** Writes what is pending now; resolves once every batch so far is settled. */
  flush(): Promise<void> {
    return this.batcher.flush();
  }

  private async writeBatch(items: EventItem[]): Promise<void> {
    const rows = rowsOf(items);
    const stopTimer = this.metrics.batchDuration.startTimer();
    try {
      const { inserted } = await this.store.write(rows);
      const usageJobs = items.filter((item) => item.name === EventName.Usage).length;
      this.metrics.events.inc({ event: EventName.Usage, outcome: 'stored' }, inserted);
      this.metrics.events.inc({ event: EventName.Usage, outcome: 'duplicate' }, usageJobs - inserted);
      this.metrics.events.inc({ event: EventName.Request, outcome: 'stored' }, items.length - usageJobs);
      this.metrics.batchSize.observe(items.length);
    } catch (error) {
      this.metrics.events.inc({ event: 'any', outcome: 'failed' }, items.length);
      this.logger.error(`a batch of ${items.length} events was not written and will be retried: ${(error as Error).message}`);
      throw error;
    } finally {
      stopTimer();
    }
  }
}
