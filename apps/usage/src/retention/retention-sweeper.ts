import { Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import { type Retention, retentionCutoffs } from '@nomosly/contracts';

/** Rows deleted per statement: short transactions that never hold many locks or stall the ingest. */
export const SWEEP_CHUNK = 5_000;

export interface SweepResult {
  requestLog: number;
  usageRecords: number;
  usageDaily: number;
  invitations: number;
  billingLedger: number;
  billingReconciliations: number;
  billingWebhookEvents: number;
  billingInvoices: number;
}

/**
 * P6: deletes what the retention table says has expired at `now` (passed in, so that tests control the clock):
 * request-log rows and usage records older than their limits, rollup days before the rollup limit, and
 * invitations (with the invitee's email) accepted, or else expired, longer ago than the invitation limit. Billing
 * follows the same table: the ledger (usage on its way to Polar, one row per usage record) and the reconciliations
 * as long as usage records, the webhooks taken and the invoices as long as the rollups (seven years, as invoices
 * are kept), from the first UTC day the rollups keep.
 */
@Injectable()
export class RetentionSweeper {
  constructor(private readonly em: EntityManager) {}

  async sweep(retention: Retention, now: Date, chunk = SWEEP_CHUNK): Promise<SweepResult> {
    const cutoffs = retentionCutoffs(retention, now);
    const rollupsFrom = `${cutoffs.usageDailyFrom}T00:00:00.000Z`;
    return {
      requestLog: await this.deleteInChunks('request_log', '"at" < ?::timestamptz', cutoffs.requestLogFrom.toISOString(), chunk),
      usageRecords: await this.deleteInChunks('usage_records', '"at" < ?::timestamptz', cutoffs.usageRecordsFrom.toISOString(), chunk),
      usageDaily: await this.deleteInChunks('usage_daily', '"day" < ?::date', cutoffs.usageDailyFrom, chunk),
      invitations: await this.deleteInChunks(
        'invitations',
        'coalesce("accepted_at", "expires_at") < ?::timestamptz',
        cutoffs.invitationsFrom.toISOString(),
        chunk,
      ),
      // An unsent ledger row is still owed to Polar, however old: deleting it would lose that usage from the bill
      // without a trace. It goes once sent, or parked (refused by Polar, its reason logged and counted).
      billingLedger: await this.deleteInChunks(
        'billing_ledger',
        '"at" < ?::timestamptz and ("sent_at" is not null or "parked_at" is not null)',
        cutoffs.usageRecordsFrom.toISOString(),
        chunk,
      ),
      billingReconciliations: await this.deleteInChunks('billing_reconciliations', '"at" < ?::timestamptz', cutoffs.usageRecordsFrom.toISOString(), chunk),
      billingWebhookEvents: await this.deleteInChunks('billing_webhook_events', '"received_at" < ?::timestamptz', rollupsFrom, chunk),
      billingInvoices: await this.deleteInChunks('billing_invoices', '"created_at" < ?::timestamptz', rollupsFrom, chunk),
    };
  }

  private async deleteInChunks(table: string, expired: string, cutoff: string, chunk: number): Promise<number> {
    const knex = this.em.getKnex();
    let total = 0;
    for (;;) {
      const result = await knex.raw<{ rowCount: number }>(
        `delete from ${table} where ctid in (select ctid from ${table} where ${expired} limit ?)`,
        [cutoff, chunk],
      );
      total += result.rowCount;
      if (result.rowCount < chunk) return total;
    }
  }
}
