import { Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';

/** Stands for the purged user in the usage records their keys made in workspaces that go on (billed there still). */
export const NIL_USER_ID = '00000000-0000-0000-0000-000000000000';

export interface PurgeOutcome {
  /** The SHA-256 hashes of the keys deleted: every gateway is told to drop them. */
  keyHashes: string[];
  /** Workspaces the user owned alone, deleted with everything in them. */
  deletedWorkspaceIds: string[];
  /**
   * Workspaces the user owned alone that gained members during the countdown (the start refused that): left to
   * those members, their longest-standing one made owner, with the user's own traces removed as from any other.
   */
  handedOverWorkspaceIds: string[];
  deleted: { usageRecords: number; requestLog: number; unsentLedger: number; invitations: number; keys: number };
  /** Usage records of workspaces that go on, which no longer name the user. */
  anonymisedUsageRecords: number;
  /** Invoice and subscription rows kept for accounting, unlinked from the deleted workspaces. */
  unlinkedBillingRows: number;
}

type Db = ReturnType<EntityManager['getKnex']>;

/**
 * P7: the purge of one account whose deletion countdown has ended, in one transaction. It re-reads the countdown
 * under the user's row lock and does nothing when it was cancelled or moved later (or the user is gone).
 */
@Injectable()
export class AccountPurger {
  constructor(private readonly em: EntityManager) {}

  /** The purge's outcome, or null when the account was not (or no longer) due at `now`. */
  async purge(userId: string, now: Date): Promise<PurgeOutcome | null> {
    return this.em.getKnex().transaction(async (trx) => {
      const user = await rows<{ email: string; due: boolean }>(
        trx,
        `select email, deletion_scheduled_for is not null and deletion_scheduled_for <= ?::timestamptz as due from users where id = ? for update`,
        [now.toISOString(), userId],
      );
      if (!user.length || !user[0].due) return null;
      const email = user[0].email;

      // Every workspace the user belongs to, locked (in one order, as everyone else locks them) so that no one joins,
      // leaves or changes roles while the purge decides what to delete.
      await trx.raw('select id from workspaces where id in (select workspace_id from memberships where user_id = ?) order by id for update', [userId]);
      const memberships = await rows<{ workspace_id: string; sole_owner: boolean; shared: boolean }>(
        trx,
        `select m.workspace_id,
                m.role = 'owner' and not exists (
                  select 1 from memberships o where o.workspace_id = m.workspace_id and o.role = 'owner' and o.user_id <> m.user_id
                ) as sole_owner,
                exists (select 1 from memberships x where x.workspace_id = m.workspace_id and x.user_id <> m.user_id) as shared
           from memberships m where m.user_id = ?`,
        [userId],
      );
      const deletedWorkspaceIds = memberships.filter((m) => m.sole_owner && !m.shared).map((m) => m.workspace_id).sort();
      const handedOverWorkspaceIds = memberships.filter((m) => m.sole_owner && m.shared).map((m) => m.workspace_id).sort();
      const deleting = pgArray(deletedWorkspaceIds);

      const keys = await rows<{ hash: string; prefix: string; workspace_id: string }>(
        trx,
        'select hash, prefix, workspace_id from api_keys where created_by_id = ? or workspace_id = any(?::uuid[])',
        [userId, deleting],
      );
      const prefixes = pgArray([...new Set(keys.map((key) => key.prefix))]);
      const keyWorkspaces = pgArray([...new Set(keys.map((key) => key.workspace_id))]);

      // The workspaces owned alone: everything in them.
      const usageRecords = await count(trx, 'delete from usage_records where workspace_id = any(?::uuid[])', [deleting]);
      let requestLog = await count(trx, 'delete from request_log where workspace_id = any(?::uuid[])', [deleting]);
      // Usage not yet sent to Polar is not sent now: the customer is being deleted. What was sent stays, as accounting.
      const unsentLedger = await count(trx, 'delete from billing_ledger where workspace_id = any(?::uuid[]) and sent_at is null', [deleting]);
      const unlinkedBillingRows =
        (await count(trx, unlinkBilling('billing_invoices'), [deleting, deleting])) + (await count(trx, unlinkBilling('billing_subscriptions'), [deleting, deleting]));
      // The billing app deletes each one's Polar customer and then this row; until then the row says it is owed.
      await trx.raw('insert into billing_customers (workspace_id) select unnest(?::uuid[]) on conflict (workspace_id) do nothing', [deleting]);
      // Their memberships, keys and invitations go with them (foreign keys, on delete cascade).
      await trx.raw('delete from workspaces where id = any(?::uuid[])', [deleting]);

      // Every other workspace: the user's traces in it.
      for (const workspaceId of handedOverWorkspaceIds) {
        await trx.raw(
          `update memberships set role = 'owner' where (workspace_id, user_id) = (
             select workspace_id, user_id from memberships where workspace_id = ? and user_id <> ? order by created_at, user_id limit 1)`,
          [workspaceId, userId],
        );
      }
      const anonymisedUsageRecords = await count(trx, 'update usage_records set user_id = ? where user_id = ?', [NIL_USER_ID, userId]);
      // The request log names a key by its prefix only: the rows of the user's keys, in their workspaces or in none.
      requestLog += await count(
        trx,
        'delete from request_log where key_prefix = any(?::text[]) and (workspace_id = any(?::uuid[]) or workspace_id is null)',
        [prefixes, keyWorkspaces],
      );
      // Invitations addressed to the user. Those they sent stay with their workspace, no longer naming them (on delete set null).
      const invitations = await count(trx, 'delete from invitations where lower(email) = lower(?)', [email]);
      // The user, with their remaining memberships and the keys they made (on delete cascade).
      await trx.raw('delete from users where id = ?', [userId]);

      return {
        keyHashes: keys.map((key) => key.hash),
        deletedWorkspaceIds,
        handedOverWorkspaceIds,
        deleted: { usageRecords, requestLog, unsentLedger, invitations, keys: keys.length },
        anonymisedUsageRecords,
        unlinkedBillingRows,
      };
    });
  }

  /** Users whose countdown ended by `now` (their purge job was lost, or has not run yet). */
  async overdue(now: Date, limit = 100): Promise<string[]> {
    const due = await rows<{ id: string }>(
      this.em.getKnex(),
      'select id from users where deletion_scheduled_for <= ?::timestamptz order by deletion_scheduled_for limit ?',
      [now.toISOString(), limit],
    );
    return due.map((row) => row.id);
  }

  /** Deleted workspaces whose Polar customer is still owed its deletion. */
  async customersToDelete(limit = 1000): Promise<string[]> {
    const owed = await rows<{ workspace_id: string }>(
      this.em.getKnex(),
      'select workspace_id from billing_customers c where not exists (select 1 from workspaces w where w.id = c.workspace_id) order by workspace_id limit ?',
      [limit],
    );
    return owed.map((row) => row.workspace_id);
  }
}

/** Invoices and subscriptions stay for their seven years, with no link to the deleted workspace or its customer. */
function unlinkBilling(table: 'billing_invoices' | 'billing_subscriptions'): string {
  return `update ${table} set workspace_id = null, polar_customer_id = null
           where workspace_id = any(?::uuid[])
              or polar_customer_id in (select polar_customer_id from billing_customers where workspace_id = any(?::uuid[]))`;
}

async function rows<T>(db: Db, sql: string, bindings: unknown[]): Promise<T[]> {
  return (await db.raw<{ rows: T[] }>(sql, bindings as never)).rows;
}

async function count(db: Db, sql: string, bindings: unknown[]): Promise<number> {
  return (await db.raw<{ rowCount: number }>(sql, bindings as never)).rowCount;
}

/** A PostgreSQL array literal (knex would expand a JavaScript array into a list of parameters). */
export function pgArray(values: readonly string[]): string {
  return `{${values.map((value) => `"${value.replace(/["\\]/g, (c) => `\\${c}`)}"`).join(',')}}`;
}
