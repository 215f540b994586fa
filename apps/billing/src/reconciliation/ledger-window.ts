import { Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';

/** A workspace billed through Polar, and since when Polar's meter counts its usage. */
export interface BilledWorkspace {
  workspaceId: string;
  /** The active (or trialing) subscription's current period start; else when its Polar customer was made. */
  periodStart: Date;
}

/** Our ledger's side of the reconciliation: the `billing_ledger` rows Polar accepted. */
export interface LedgerRecord {
  eventId: string;
  operation: string;
  units: number;
  at: Date;
}

/**
 * Reads and marks our ledger of usage sent to Polar. Both sides are counted by ingestion time: a row counts in
 * the period its `sent_at` (when Polar accepted it) falls in, as Polar's meter counts an event in the period it
 * was ingested in. Rows not sent yet are the sender's lag, not drift. (Raw queries return timestamps as text.)
 */
@Injectable()
export class LedgerWindow {
  constructor(private readonly em: EntityManager) {}

  /**
   * Every workspace that has a Polar customer. Without a subscription, Polar's meter counts since the customer
   * was made; `billing_customers.created_at` follows that creation, and no row of the workspace is sent before it.
   */
  async billedWorkspaces(): Promise<BilledWorkspace[]> {
    const result = await this.em.getKnex().raw<{ rows: Array<{ workspace_id: string; period_start: string }> }>(
      `select c.workspace_id, coalesce(s.current_period_start, c.created_at) as period_start
       from billing_customers c
       left join lateral (
         select max(current_period_start) as current_period_start from billing_subscriptions
         where workspace_id = c.workspace_id and status in ('active', 'trialing')
       ) s on true
       where c.polar_customer_id is not null
       order by c.workspace_id`,
    );
    return result.rows.map((row) => ({ workspaceId: row.workspace_id, periodStart: new Date(row.period_start) }));
  }

  /** Units of the workspace Polar accepted since `periodStart`, and the earliest usage time among them (null: none). */
  async sentUnits(workspace: BilledWorkspace): Promise<{ units: number; firstAt: Date | null }> {
    const result = await this.em.getKnex().raw<{ rows: Array<{ units: string; first_at: string | null }> }>(
      `select coalesce(sum(units), 0)::bigint as units, min(at) as first_at from billing_ledger
       where workspace_id = ? and sent_at >= ?`,
      [workspace.workspaceId, workspace.periodStart.toISOString()],
    );
    const row = result.rows[0];
    return { units: Number(row?.units ?? 0), firstAt: row?.first_at ? new Date(row.first_at) : null };
  }

  /** Every sent record of the workspace whose usage time is `from` or later: what Polar's event list from `from` should hold. */
  async sentRecordsFrom(workspaceId: string, from: Date): Promise<LedgerRecord[]> {
    const result = await this.em.getKnex().raw<{ rows: Array<{ event_id: string; operation: string; units: number; at: string }> }>(
      `select event_id, operation, units, at from billing_ledger
       where workspace_id = ? and sent_at is not null and at >= ?
       order by at, event_id`,
      [workspaceId, from.toISOString()],
    );
    return result.rows.map((row) => ({ eventId: row.event_id, operation: row.operation, units: row.units, at: new Date(row.at) }));
  }

  /**
   * Hands the records back to the sender, which sends rows with no `sent_at` whose `next_attempt_at` has come,
   * under the same `external_id`. Returns how many were handed back (a row the sender already has again is not counted).
   */
  async markForResend(eventIds: readonly string[]): Promise<number> {
    if (eventIds.length === 0) return 0;
    const result = await this.em.getKnex().raw<{ rowCount: number }>(
      'update billing_ledger set sent_at = null, attempts = 0, next_attempt_at = now() where event_id = any(?) and sent_at is not null',
      [[...eventIds]],
    );
    return result.rowCount;
  }
}
