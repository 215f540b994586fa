import { Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import type { InvoiceView, SubscriptionView } from './billing.dto';

/** Subscription statuses under which Polar grants the plan. */
export const LIVE_SUBSCRIPTION_STATUSES = ['active', 'trialing'] as const;

/** The invoices the billing page lists, newest first; older ones stay in the table for their seven years. */
export const INVOICES_SHOWN = 100;

/** Reads of what the billing app stored from Polar's webhooks, and of the usage records billed through it. */
@Injectable()
export class BillingQueries {
  constructor(private readonly em: EntityManager) {}

  /** The workspace's live subscription (active or trialing) if it has one, else its most recently updated, or null. */
  async currentSubscription(workspaceId: string): Promise<SubscriptionView | null> {
    const rows = await this.em.getConnection().execute<
      Array<{ id: string; status: string; plan: string; current_period_start: Date; current_period_end: Date | null; cancel_at_period_end: boolean }>
    >(
      `select "id", "status", "plan", "current_period_start", "current_period_end", "cancel_at_period_end"
         from "billing_subscriptions"
        where "workspace_id" = ?
        order by ("status" in (${LIVE_SUBSCRIPTION_STATUSES.map(() => '?').join(', ')})) desc, "updated_at" desc, "id"
        limit 1`,
      [workspaceId, ...LIVE_SUBSCRIPTION_STATUSES],
    );
    const row = rows[0];
    if (!row) return null;
    return {
      id: row.id,
      status: row.status,
      plan: row.plan,
      currentPeriodStart: new Date(row.current_period_start).toISOString(),
      currentPeriodEnd: row.current_period_end === null ? null : new Date(row.current_period_end).toISOString(),
      cancelAtPeriodEnd: row.cancel_at_period_end,
    };
  }

  async invoices(workspaceId: string): Promise<InvoiceView[]> {
    const rows = await this.em.getConnection().execute<
      Array<{ order_id: string; number: string; created_at: Date; status: string; total_cents: string; currency: string }>
    >(
      `select "order_id", "number", "created_at", "status", "total_cents"::text as total_cents, "currency"
         from "billing_invoices"
        where "workspace_id" = ?
        order by "created_at" desc, "order_id" desc
        limit ${INVOICES_SHOWN}`,
      [workspaceId],
    );
    return rows.map((row) => ({
      id: row.order_id,
      number: row.number,
      createdAt: new Date(row.created_at).toISOString(),
      status: row.status,
      totalCents: Number(row.total_cents),
      currency: row.currency,
    }));
  }

  /**
   * Units of the workspace's usage records since `since`. The usage records, not the gateways' monthly counters: a
   * billing period starts at any moment of any day (the counters and the daily rollups are cut at UTC months and
   * days), and they are exactly what is sent to Polar (the ledger is written with them), so the estimate prices
   * what Polar will bill.
   */
  async unitsSince(workspaceId: string, since: Date): Promise<number> {
    const rows = await this.em
      .getConnection()
      .execute<Array<{ units: string }>>(`select coalesce(sum("units"), 0)::text as units from "usage_records" where "workspace_id" = ? and "at" >= ?`, [
        workspaceId,
        since,
      ]);
    return Number(rows[0]?.units ?? 0);
  }
}
