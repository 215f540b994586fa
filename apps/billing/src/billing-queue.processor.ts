import { Inject, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { InjectQueue, Processor, WorkerHost } from '@nestjs/bullmq';
import type { Job, JobsOptions, Queue } from 'bullmq';
import { BILLING_RECONCILE_SCHEDULER, BillingJob, QueueName, type ReconciliationReport, reconcileJobDataSchema } from '@nomosly/contracts';
import { DependencyWatches } from '@nomosly/observability';
import { BILLING_CONFIG, type BillingConfig } from './config';
import { type CustomerDeletionOutcome, PolarCustomerDeletion } from './customers/polar-customer-deletion';
import { Reconciler } from './reconciliation/reconciler';

/** Completed reconciliations kept on the billing queue (their results are the per-workspace figures): a month of daily runs. */
export const RECONCILIATIONS_KEPT = 31;

/**
 * A run that fails (Polar down or limiting us) is tried again, 1, 2, 4 then 8 minutes later: within a quarter
 * of an hour, long before the next day's run.
 */
export const RECONCILE_JOB_OPTIONS: JobsOptions = {
  attempts: 5,
  backoff: { type: 'exponential', delay: 60_000 },
  removeOnComplete: { count: RECONCILIATIONS_KEPT },
  removeOnFail: { age: 7 * 24 * 3600 },
};

/**
 * The billing queue's one worker (BullMQ runs one processor per queue in a process): the scheduled reconciliation
 * with Polar, and the deletion of a purged workspace's Polar customer. Two jobs at a time, so that a deletion does
 * not wait for a long reconciliation.
 */
@Processor(QueueName.Billing, { autorun: false, concurrency: 2 })
export class BillingQueueProcessor extends WorkerHost implements OnApplicationBootstrap {
  private readonly logger = new Logger('BillingJobs');

  constructor(
    private readonly reconciler: Reconciler,
    private readonly customers: PolarCustomerDeletion,
    @Inject(BILLING_CONFIG) private readonly config: BillingConfig,
    @InjectQueue(QueueName.Billing) private readonly queue: Queue,
    private readonly watches: DependencyWatches,
  ) {
    super();
  }

  async onApplicationBootstrap(): Promise<void> {
    this.watches.bullmq('events-redis', 'billing worker', this.worker);
    // A cron pattern, not `every`: BullMQ runs an `every` schedule at once, so each start would reconcile.
    if (this.config.BILLING_RECONCILE_CRON) {
      await this.queue.upsertJobScheduler(
        BILLING_RECONCILE_SCHEDULER,
        { pattern: this.config.BILLING_RECONCILE_CRON, tz: 'UTC' },
        { name: BillingJob.Reconcile, data: {}, opts: RECONCILE_JOB_OPTIONS },
      );
    } else {
      await this.queue.removeJobScheduler(BILLING_RECONCILE_SCHEDULER);
    }
    void this.worker.run();
  }

  async process(job: Job): Promise<ReconciliationReport | { outcome: CustomerDeletionOutcome } | undefined> {
    if (job.name === BillingJob.DeleteCustomer) return this.customers.handle(job);
    // Thrown, not completed: a replica of a newer version may know it, and a completed job would be lost.
    if (job.name !== BillingJob.Reconcile) throw new Error(`unknown billing job "${job.name.slice(0, 64)}"`);
    return this.reconcile(job);
  }

  private async reconcile(job: Job): Promise<ReconciliationReport | undefined> {
    const data = reconcileJobDataSchema.safeParse(job.data ?? {});
    if (!data.success) {
      this.logger.warn(`reconciliation job ${job.id} ignored: its data is not { dryRun?: boolean }`);
      return undefined;
    }
    const report = await this.reconciler.run({ dryRun: data.data.dryRun, runId: `${job.id}#${job.attemptsMade + 1}` });
    if (report.failed.length > 0) {
      // The workspaces that could be reconciled were; the run is tried again for the others.
      const first = report.failed[0];
      throw new Error(`reconciliation failed for ${report.failed.length} workspaces (first: ${first?.workspaceId}: ${first?.error})`);
    }
    return report;
  }
}
