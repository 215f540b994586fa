import { Inject, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { InjectQueue, Processor, WorkerHost } from '@nestjs/bullmq';
import type { Job, Queue } from 'bullmq';
import {
  MaintenanceJob,
  QueueName,
  RETENTION_SWEEPS_KEPT,
  RETENTION_SWEEP_SCHEDULER,
  accountPurgeJobSchema,
  retentionFrom,
} from '@nomosly/contracts';
import { DependencyWatches } from '@nomosly/observability';
import { AccountDeletion } from '../account-deletion/account-deletion.service';
import { USAGE_CONFIG, type UsageConfig } from '../config';
import { UsageMetrics } from '../metrics';
import { RetentionSweeper, type SweepResult } from './retention-sweeper';

/**
 * Runs the scheduled retention sweeps (P6) and the account purges at the end of their countdowns (P7). One at a
 * time, on whichever replica takes the job.
 */
@Processor(QueueName.Maintenance, { autorun: false, concurrency: 1 })
export class MaintenanceProcessor extends WorkerHost implements OnApplicationBootstrap {
  private readonly logger = new Logger('Maintenance');

  constructor(
    private readonly sweeper: RetentionSweeper,
    private readonly deletion: AccountDeletion,
    private readonly metrics: UsageMetrics,
    @Inject(USAGE_CONFIG) private readonly config: UsageConfig,
    @InjectQueue(QueueName.Maintenance) private readonly queue: Queue,
    private readonly watches: DependencyWatches,
  ) {
    super();
  }

  async onApplicationBootstrap(): Promise<void> {
    this.watches.bullmq('events-redis', 'maintenance worker', this.worker);
    // A cron pattern, not `every`: BullMQ runs an `every` schedule at once, so each start would sweep.
    if (this.config.RETENTION_SWEEP_CRON) {
      await this.queue.upsertJobScheduler(
        RETENTION_SWEEP_SCHEDULER,
        { pattern: this.config.RETENTION_SWEEP_CRON, tz: 'UTC' },
        { name: MaintenanceJob.RetentionSweep, opts: { removeOnComplete: { count: RETENTION_SWEEPS_KEPT }, removeOnFail: { age: 7 * 24 * 3600 } } },
      );
    } else {
      await this.queue.removeJobScheduler(RETENTION_SWEEP_SCHEDULER);
    }
    void this.worker.run();
  }

  async process(job: Job): Promise<SweepResult | { purged: boolean } | undefined> {
    switch (job.name) {
      case MaintenanceJob.RetentionSweep:
        return this.sweep();
      case MaintenanceJob.AccountPurge:
        return this.purgeAccount(job);
      default:
        this.logger.warn(`unknown maintenance job "${job.name.slice(0, 64)}" ignored`);
        return undefined;
    }
  }

  private async sweep(): Promise<SweepResult> {
    const now = new Date();
    const deleted = await this.sweeper.sweep(retentionFrom(this.config), now);
    // Every table the sweep keeps, billing's included, counted under its SQL name.
    for (const [table, rows] of Object.entries(deleted)) this.metrics.sweptRows.inc({ table: sqlTableOf(table) }, rows);
    this.logger.log(`retention sweep deleted ${Object.entries(deleted).map(([table, rows]) => `${rows} ${sqlTableOf(table)}`).join(', ')} rows`);
    // An account whose countdown ended without its purge job (lost, or failed for good) is purged here.
    const caughtUp = await this.deletion.catchUp(now);
    if (caughtUp.accounts || caughtUp.customers) {
      this.logger.log(`retention sweep purged ${caughtUp.accounts} overdue accounts, asked again for ${caughtUp.customers} Polar customer deletions`);
    }
    return deleted;
  }

  /** The result holds no id: a completed job's result outlives it in the queue's event stream. */
  private async purgeAccount(job: Job): Promise<{ purged: boolean }> {
    const parsed = accountPurgeJobSchema.safeParse(job.data);
    if (!parsed.success) {
      this.logger.error(`account purge job ${job.id ?? ''} ignored: its data is not a purge request`);
      return { purged: false };
    }
    const outcome = await this.deletion.purge(parsed.data.userId, new Date(), `account purge job ${job.id ?? ''}`);
    return { purged: outcome !== null };
  }
}

/** A sweep result's field as the table's SQL name (the fields are the tables' names in camel case). */
function sqlTableOf(field: string): string {
  return field.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);
}
