import { Logger } from '@nestjs/common';
import { FREE_PLAN, type PolarProducts } from '@nomosly/billing';
import type { PolarSubscription } from './polar-webhook-schemas';
import { type HandledWebhook, type Transaction, ourWorkspace, polarVersion } from './webhook-outcome';

/**
 * A subscription as Polar reported it, kept only when it is at least as new as what is stored (Polar delivers
 * out of order), and the workspace's plan made to follow it: the plan of its granting subscription, else free.
 */
export class SubscriptionWebhooks {
  private readonly logger = new Logger(SubscriptionWebhooks.name);

  constructor(private readonly products: PolarProducts) {}

  async apply(trx: Transaction, webhookId: string, subscription: PolarSubscription): Promise<HandledWebhook> {
    const workspaceId = await ourWorkspace(trx, subscription.customer.externalId, { lock: true });
    if (!workspaceId) {
      this.logger.warn(`webhook ${webhookId}: subscription ${subscription.id} is of customer ${subscription.customerId}, which is none of our workspaces; ignored`);
      return { outcome: 'ignored' };
    }
    const plan = this.products.planFor(subscription.productId);
    if (plan === undefined) {
      this.logger.warn(`webhook ${webhookId}: subscription ${subscription.id} is for product ${subscription.productId}, which POLAR_PRODUCTS does not name; its plan stays`);
    }
    if (!(await this.store(trx, workspaceId, plan, subscription))) return { outcome: 'stale' };
    const changed = await this.followSubscription(trx, workspaceId);
    return { outcome: 'applied', planChangedFor: changed ? workspaceId : undefined };
  }

  /** Upserts the whitelisted columns; false when the stored version is newer. */
  private async store(trx: Transaction, workspaceId: string, plan: string | undefined, subscription: PolarSubscription): Promise<boolean> {
    const result = await trx.raw<{ rows: unknown[] }>(
      `insert into billing_subscriptions as s (id, workspace_id, polar_customer_id, product_id, plan, status, current_period_start,
         current_period_end, cancel_at_period_end, ended_at, polar_version, updated_at)
       values (?, ?, ?, ?, coalesce(?::text, (select plan from workspaces where id = ?)), ?, ?, ?, ?, ?, ?, now())
       on conflict (id) do update set
         workspace_id = excluded.workspace_id, polar_customer_id = excluded.polar_customer_id, product_id = excluded.product_id,
         plan = coalesce(?::text, s.plan), status = excluded.status, current_period_start = excluded.current_period_start,
         current_period_end = excluded.current_period_end, cancel_at_period_end = excluded.cancel_at_period_end,
         ended_at = excluded.ended_at, polar_version = excluded.polar_version, updated_at = now()
       where s.polar_version <= excluded.polar_version
       returning s.id`,
      [
        subscription.id,
        workspaceId,
        subscription.customerId,
        subscription.productId,
        plan ?? null,
        workspaceId,
        subscription.status,
        subscription.currentPeriodStart,
        subscription.currentPeriodEnd,
        subscription.cancelAtPeriodEnd,
        subscription.endedAt,
        polarVersion(subscription),
        plan ?? null,
      ],
    );
    return result.rows.length > 0;
  }

  /** Sets the workspace's plan from its subscriptions; true when it changed. */
  private async followSubscription(trx: Transaction, workspaceId: string): Promise<boolean> {
    const result = await trx.raw<{ rows: unknown[] }>(
      `with granted as (
         select coalesce(
           -- the plan of the subscription that grants one (active or trialing, not ended)
           (select plan from billing_subscriptions
             where workspace_id = ? and status in ('active', 'trialing') and (ended_at is null or ended_at > now())
             order by polar_version desc limit 1),
           ?) as plan)
       update workspaces w set plan = granted.plan from granted
       where w.id = ? and w.plan is distinct from granted.plan
       returning w.id`,
      [workspaceId, FREE_PLAN, workspaceId],
    );
    return result.rows.length > 0;
  }
}
