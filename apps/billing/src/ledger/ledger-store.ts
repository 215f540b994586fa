import { Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';

/** One usage record owed to Polar, as claimed from the ledger. */
export interface LedgerEvent {
  eventId: string;
  workspaceId: string;
  operation: string;
  units: number;
  at: Date;
  attempts: number;
}

/**
 * Leases the oldest due rows: `for update skip locked` keeps two senders (replicas, or the workers of one) off
 * the same rows, and moving `next_attempt_at` past the lease hides them until this sender has settled them or,
 * if it died, until the lease runs out and they are due again.
 */
const CLAIM_DUE = `
  update billing_ledger l
  set next_attempt_at = now() + (? * interval '1 millisecond'), attempts = l.attempts + 1
  from (
    select event_id from billing_ledger
    where sent_at is null and parked_at is null and next_attempt_at <= now()
    order by next_attempt_at
    limit ?
    for update skip locked
  ) due
  where l.event_id = due.event_id
  returning l.event_id, l.workspace_id, l.operation, l.units, l."at", l.attempts`;

/**
 * Capped exponential backoff with equal jitter, per row from its own attempt count (this claim included):
 * half of base * 2^(attempts - 1) fixed, the other half random, never more than the cap; or Polar's Retry-After
 * when it gave one (then no jitter: Polar said when).
 */
const SCHEDULE_RETRY = `
  update billing_ledger
  set next_attempt_at = now() + (case
        when ?::float8 is not null then ?::float8
        else least(?::float8, ?::float8 * power(2, least(attempts - 1, 30))) * (0.5 + random() / 2)
      end) * interval '1 millisecond',
      last_error = ?
  where event_id = any(?) and sent_at is null`;

interface LedgerRow {
  event_id: string;
  workspace_id: string;
  operation: string;
  units: number;
  /** timestamptz comes back from this driver as text. */
  at: string | Date;
  attempts: number;
}

/** The billing ledger, the outbox of usage owed to Polar (written by the usage app with each usage record). */
@Injectable()
export class LedgerStore {
  constructor(private readonly em: EntityManager) {}

  async claimDue(limit: number, leaseMs: number): Promise<LedgerEvent[]> {
    const result = await this.em.getKnex().raw<{ rows: LedgerRow[] }>(CLAIM_DUE, [leaseMs, limit]);
    return result.rows
      .map((row) => ({ eventId: row.event_id, workspaceId: row.workspace_id, operation: row.operation, units: row.units, at: new Date(row.at), attempts: row.attempts }))
      .sort((a, b) => a.at.getTime() - b.at.getTime());
  }

  async markSent(eventIds: string[]): Promise<void> {
    if (!eventIds.length) return;
    await this.em.getKnex().raw('update billing_ledger set sent_at = now(), last_error = null where event_id = any(?) and sent_at is null', [eventIds]);
  }

  async scheduleRetry(eventIds: string[], error: string, backoff: { baseMs: number; maxMs: number; retryAfterMs: number | null }): Promise<void> {
    if (!eventIds.length) return;
    const { retryAfterMs, maxMs, baseMs } = backoff;
    await this.em.getKnex().raw(SCHEDULE_RETRY, [retryAfterMs, retryAfterMs, maxMs, baseMs, error.slice(0, 1000), eventIds]);
  }

  /** Gives leased rows back at once, their attempt not counted: this sender is stopping before it could settle them. */
  async release(eventIds: string[]): Promise<void> {
    if (!eventIds.length) return;
    await this.em
      .getKnex()
      .raw('update billing_ledger set next_attempt_at = now(), attempts = greatest(attempts - 1, 0) where event_id = any(?) and sent_at is null', [eventIds]);
  }

  /** Polar refused these as they are: they wait, with the reason, for a person (or the reconciliation) to look. */
  async park(eventIds: string[], error: string): Promise<void> {
    if (!eventIds.length) return;
    await this.em.getKnex().raw('update billing_ledger set parked_at = now(), last_error = ? where event_id = any(?) and sent_at is null', [error.slice(0, 1000), eventIds]);
  }

  /** Whether a Polar customer can be made for the workspace: it exists and has an owner to bill. */
  async workspaceStanding(workspaceId: string): Promise<'billable' | 'no longer exists' | 'has no owner'> {
    const result = await this.em.getKnex().raw<{ rows: Array<{ owned: boolean }> }>(
      `select exists (select 1 from memberships m where m.workspace_id = w.id and m.role = 'owner') as owned from workspaces w where w.id = ?`,
      [workspaceId],
    );
    const row = result.rows[0];
    if (!row) return 'no longer exists';
    return row.owned ? 'billable' : 'has no owner';
  }

  /**
   * The age of the oldest unsent row, and how many unsent rows are due now or waiting (leased, or backing off).
   * Only unsent rows are read, through the partial index that holds just them; parked rows are counted apart, by
   * `billing_events_failed_total{reason="parked"}`.
   */
  async backlog(): Promise<{ lagSeconds: number; due: number; waiting: number }> {
    const result = await this.em.getKnex().raw<{ rows: Array<{ oldest: string | Date | null; due: number; waiting: number }> }>(
      `select min("at") as oldest, count(*) filter (where next_attempt_at <= now())::int as due,
              count(*) filter (where next_attempt_at > now())::int as waiting
       from billing_ledger where sent_at is null and parked_at is null`,
    );
    const row = result.rows[0];
    const oldest = row?.oldest ? new Date(row.oldest).getTime() : null;
    return { lagSeconds: oldest === null ? 0 : Math.max(0, (Date.now() - oldest) / 1000), due: row?.due ?? 0, waiting: row?.waiting ?? 0 };
  }
}
