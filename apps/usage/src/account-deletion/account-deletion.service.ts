import { Injectable, Logger } from '@nestjs/common';
import { InjectQueue } from '@nestjs/bullmq';
import type { Queue } from 'bullmq';
import type Redis from 'ioredis';
import {
  BillingJob,
  DELETE_CUSTOMER_JOB_OPTIONS,
  QueueName,
  deleteCustomerJobId,
  deleteCustomerJobSchema,
  publishKeyEvent,
} from '@nomosly/contracts';
import { UsageMetrics } from '../metrics';
import { AccountPurger, type PurgeOutcome } from './account-purger';

/**
 * P7: runs an account's purge, then tells what must follow it: every gateway drops the deleted keys (refused
 * within a second), and the billing app deletes each deleted workspace's Polar customer.
 */
@Injectable()
export class AccountDeletion {
  private readonly logger = new Logger('AccountDeletion');

  constructor(
    private readonly purger: AccountPurger,
    private readonly metrics: UsageMetrics,
    @InjectQueue(QueueName.Billing) private readonly billing: Queue,
  ) {}

  /** Purges the account if its countdown has ended at `now`; `label` names it in the log (never the user's id). */
  async purge(userId: string, now: Date, label: string): Promise<PurgeOutcome | null> {
    const outcome = await this.purger.purge(userId, now);
    if (!outcome) {
      this.logger.log(`${label}: no deletion due (cancelled, moved, or done already)`);
      return null;
    }
    // After the commit: a key announced before it could be looked up again, still there, and cached anew.
    await this.announceKeys(outcome.keyHashes);
    await this.requestCustomerDeletions(outcome.deletedWorkspaceIds);
    this.metrics.accountsPurged.inc();
    const { deleted } = outcome;
    this.logger.log(
      `${label}: account purged: ${outcome.deletedWorkspaceIds.length} workspaces deleted, ${outcome.handedOverWorkspaceIds.length} handed over, ` +
        `${deleted.keys} keys, ${deleted.usageRecords} usage records, ${deleted.requestLog} request-log rows, ${deleted.invitations} invitations, ` +
        `${deleted.unsentLedger} unsent ledger rows deleted; ${outcome.anonymisedUsageRecords} usage records and ${outcome.unlinkedBillingRows} billing rows anonymised`,
    );
    return outcome;
  }

  /** The sweep's part: accounts whose purge job was lost, and Polar customers still owed their deletion. */
  async catchUp(now: Date): Promise<{ accounts: number; customers: number }> {
    let accounts = 0;
    for (const userId of await this.purger.overdue(now)) {
      if (await this.purge(userId, now, 'overdue account')) accounts++;
    }
    const owed = await this.purger.customersToDelete();
    await this.requestCustomerDeletions(owed);
    return { accounts, customers: owed.length };
  }

  private async announceKeys(hashes: readonly string[]): Promise<void> {
    if (!hashes.length) return;
    const redis = (await this.billing.client) as unknown as Redis;
    try {
      await Promise.all(hashes.map((hash) => publishKeyEvent(redis, { type: 'key', hash })));
    } catch (error) {
      // The keys are gone from the database: a gateway that missed this refuses them when its cache entry expires.
      this.logger.error(`deleted keys not announced: ${(error as Error).message}`);
    }
  }

  private async requestCustomerDeletions(workspaceIds: readonly string[]): Promise<void> {
    for (const workspaceId of workspaceIds) {
      const data = deleteCustomerJobSchema.parse({ workspaceId });
      await this.billing.add(BillingJob.DeleteCustomer, data, { ...DELETE_CUSTOMER_JOB_OPTIONS, jobId: deleteCustomerJobId(data) });
    }
  }
}
