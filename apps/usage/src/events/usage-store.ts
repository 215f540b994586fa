import { Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import { NIL_USER_ID } from '../account-deletion/account-purger';
import type { BatchRows } from './event-batch';

/**
 * Records, rollups, one batch at a time: the records are inserted idempotently (the event id is the key) and
 * only the rows actually inserted are added to the daily rollups, in the same statement, so a redelivered
 * event counts once. Each new record also enters the billing ledger, the billing app's outbox to Polar (P4),
 * in the same statement. Rollup rows are upserted in key order, so that two writers never deadlock.
 */
const INSERT_USAGE_AND_ROLL_UP = `
  with inserted as (
    insert into usage_records (event_id, workspace_id, user_id, key_id, operation, units, status, latency_ms, at)
    select event_id, workspace_id,
      -- A call made just before its user's account was purged (P7) is still billed, naming no one.
      case when exists (select 1 from users u where u.id = r.user_id) then user_id else '${NIL_USER_ID}'::uuid end,
      key_id, operation, units, status, latency_ms, at
    from jsonb_to_recordset(?::jsonb) as r(event_id text, workspace_id uuid, user_id uuid, key_id uuid, operation text,
      units integer, status integer, latency_ms integer, "at" timestamptz)
    on conflict (event_id) do nothing
    returning event_id, workspace_id, key_id, operation, units, at
  ), ledger as (
    -- Not for a workspace purged since the call (P7): its Polar customer is deleted, there is no one to bill.
    insert into billing_ledger (event_id, workspace_id, operation, units, at)
    select event_id, workspace_id, operation, units, at from inserted i
    where exists (select 1 from workspaces w where w.id = i.workspace_id)
    on conflict (event_id) do nothing
  ), rollup as (
    insert into usage_daily (workspace_id, key_id, operation, day, calls, units)
    select workspace_id, key_id, operation, ("at" at time zone 'UTC')::date, count(*), sum(units)
    from inserted
    group by 1, 2, 3, 4
    order by 1, 2, 3, 4
    on conflict (workspace_id, key_id, operation, day)
    do update set calls = usage_daily.calls + excluded.calls, units = usage_daily.units + excluded.units
  )
  select count(*)::int as inserted from inserted`;

/**
 * A request of a workspace, or of a key, deleted since (an account purged, P7; a key deleted) is not logged: its
 * log would name a workspace no one can see, or a key and an address the purge has just removed.
 */
const INSERT_REQUEST_LOG = `
  insert into request_log (request_id, workspace_id, at, ip, method, path, status, latency_ms, key_prefix)
  select request_id, workspace_id, at, ip, method, path, status, latency_ms, key_prefix
  from jsonb_to_recordset(?::jsonb) as r(request_id text, workspace_id uuid, at timestamptz, ip text, method text,
    path text, status integer, latency_ms integer, key_prefix text)
  where r.workspace_id is null
     or (exists (select 1 from workspaces w where w.id = r.workspace_id)
         and (r.key_prefix is null or exists (select 1 from api_keys k where k.workspace_id = r.workspace_id and k.prefix = r.key_prefix)))
  on conflict (request_id) do nothing`;

/**
 * Taken first in each batch, users before workspaces as the purge takes them: the batch's users and workspaces
 * cannot be purged while it is written, and a purge that committed first is seen by the statements above. Key-share
 * locks conflict only with deletion and row locks for update, never with one another or with ordinary updates.
 */
const HOLD_USERS = `
  select 1 from users where id in (select (e->>'user_id')::uuid from jsonb_array_elements(?::jsonb) e) order by id for key share`;
const HOLD_WORKSPACES = `
  select 1 from workspaces where id in (select (e->>'workspace_id')::uuid from jsonb_array_elements(?::jsonb) e where e->>'workspace_id' is not null)
  order by id for key share`;

const STAMP_KEYS_LAST_USED = `
  update api_keys k
  set last_used_at = greatest(coalesce(k.last_used_at, s.at), s.at)
  from jsonb_to_recordset(?::jsonb) as s(id uuid, "at" timestamptz)
  where k.id = s.id`;

@Injectable()
export class UsageStore {
  constructor(private readonly em: EntityManager) {}

  /** Writes the whole batch in one transaction; returns how many usage records were new. */
  async write(rows: BatchRows): Promise<{ inserted: number }> {
    return this.em.getKnex().transaction(async (trx) => {
      let inserted = 0;
      if (rows.usage.length) await trx.raw(HOLD_USERS, [JSON.stringify(rows.usage)]);
      if (rows.usage.length || rows.requests.length) await trx.raw(HOLD_WORKSPACES, [JSON.stringify([...rows.usage, ...rows.requests])]);
      if (rows.usage.length) {
        const result = await trx.raw<{ rows: Array<{ inserted: number }> }>(INSERT_USAGE_AND_ROLL_UP, [JSON.stringify(rows.usage)]);
        inserted = result.rows[0]?.inserted ?? 0;
      }
      if (rows.requests.length) await trx.raw(INSERT_REQUEST_LOG, [JSON.stringify(rows.requests)]);
      if (rows.keyStamps.length) await trx.raw(STAMP_KEYS_LAST_USED, [JSON.stringify(rows.keyStamps)]);
      return { inserted };
    });
  }
}
