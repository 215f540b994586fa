import { Inject, Injectable, Logger } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import type { Polar } from '@polar-sh/sdk';
import type { Job } from 'bullmq';
import { deleteCustomerJobSchema } from '@nomosly/contracts';
import { isPolarStatus, POLAR } from '@nomosly/billing';

export type CustomerDeletionOutcome = 'deleted' | 'already_gone' | 'workspace_exists' | 'invalid';

/**
 * P7: the Polar side of an account purge. For a workspace deleted with its owner's account, its active
 * subscriptions are revoked and its Polar customer deleted with its personal data anonymised; then its
 * billing_customers row, which said the deletion was owed, goes too. A failure is thrown for the job to be
 * retried; Polar's 404 means it is done already.
 */
@Injectable()
export class PolarCustomerDeletion {
  private readonly logger = new Logger('PolarCustomerDeletion');

  constructor(
    private readonly em: EntityManager,
    @Inject(POLAR) private readonly polar: Polar,
  ) {}

  async handle(job: Job): Promise<{ outcome: CustomerDeletionOutcome }> {
    const parsed = deleteCustomerJobSchema.safeParse(job.data);
    if (!parsed.success) {
      this.logger.error(`customer deletion job ${job.id ?? ''} ignored: its data is not { workspaceId }`);
      return { outcome: 'invalid' };
    }
    return { outcome: await this.delete(parsed.data.workspaceId) };
  }

  async delete(workspaceId: string): Promise<CustomerDeletionOutcome> {
    const knex = this.em.getKnex();
    // Only a deleted workspace's customer: a live workspace's billing is never touched from here.
    const live = await knex.raw<{ rows: unknown[] }>('select 1 from workspaces where id = ?', [workspaceId]);
    if (live.rows.length) {
      this.logger.error(`customer deletion for workspace ${workspaceId} refused: the workspace exists`);
      return 'workspace_exists';
    }
    await this.revokeSubscriptions(workspaceId);
    let outcome: CustomerDeletionOutcome = 'deleted';
    try {
      await this.polar.customers.deleteExternal({ externalId: workspaceId, anonymize: true });
    } catch (error) {
      if (!isPolarStatus(error, 404)) throw error;
      outcome = 'already_gone';
    }
    await knex.raw('delete from billing_customers where workspace_id = ?', [workspaceId]);
    this.logger.log(`Polar customer of deleted workspace ${workspaceId}: ${outcome}`);
    return outcome;
  }

  private async revokeSubscriptions(workspaceId: string): Promise<void> {
    const ids: string[] = [];
    for await (const page of await this.polar.subscriptions.list({ externalCustomerId: workspaceId, active: true })) {
      ids.push(...page.result.items.map((subscription) => subscription.id));
    }
    for (const id of ids) {
      try {
        await this.polar.subscriptions.revoke({ id });
      } catch (error) {
        // Revoked already (by an earlier attempt, or by Polar): nothing left to stop.
        if (!isPolarStatus(error, 404) && !isPolarStatus(error, 403)) throw error;
      }
    }
  }
}
