import type { EntityManager } from '@mikro-orm/postgresql';
import type { Client } from 'pg';
import { AccountsError, AccountsErrorCode, WorkspaceAccessService } from '@nomosly/accounts';
import { type AuditLine, cannotCheck, fail, pass } from './audit-line';

/** Workspaces sampled: the console's own tests cover every route; this asks the deployment's data. */
export const WORKSPACE_SAMPLE = 5;

/**
 * P11, a sample: a few workspaces taken at random, each with a user who is not its member, put to the access rule
 * every console route applies (WorkspaceAccessService). Each must be refused.
 */
export async function checkWorkspaceAccess(db: Client, em: EntityManager): Promise<AuditLine[]> {
  const { rows } = await db.query<{ workspace_id: string; user_id: string }>(
    `select w.id as workspace_id,
            (select u.id from users u where not exists (select 1 from memberships m where m.workspace_id = w.id and m.user_id = u.id) order by random() limit 1) as user_id
       from workspaces w order by random() limit $1`,
    [WORKSPACE_SAMPLE],
  );
  const pairs = rows.filter((row) => row.user_id !== null);
  if (pairs.length === 0) return [cannotCheck('P11', 'no workspace with a user outside it to sample')];
  const access = new WorkspaceAccessService(em);
  const admitted: string[] = [];
  for (const { workspace_id: workspaceId, user_id: userId } of pairs) {
    try {
      await access.requireMember(workspaceId, userId);
      admitted.push(`workspace ${workspaceId} to user ${userId}`);
    } catch (error) {
      // Refused as not found, as it must be; any other error is not a refusal the audit can count.
      if (!(error instanceof AccountsError && error.code === AccountsErrorCode.NotFound)) throw error;
    }
  }
  if (admitted.length) return [fail('P11', `the workspace access rule admits non-members: ${admitted.join('; ')}`)];
  return [pass('P11', `a sample of ${pairs.length} workspace${pairs.length === 1 ? '' : 's'}: each refused to a user who is not its member`)];
}

/** Keys named in a failure: enough to find the rest. */
export const KEY_EXAMPLES = 5;

/**
 * P11 on the data itself: no active API key (neither revoked nor expired) whose creator is not a member of its
 * workspace. A member's removal revokes the keys they created there (API.md); one that survived it, made while
 * the removal ran, would still call on the workspace's account. Names a few (key prefix and id, workspace, creator:
 * never a secret, which is not stored).
 */
export async function checkKeysOfNonMembers(db: Client, now: Date): Promise<AuditLine[]> {
  const { rows } = await db.query<{ id: string; prefix: string; workspace_id: string; created_by_id: string; total: string }>(
    `select k.id, k.prefix, k.workspace_id, k.created_by_id, count(*) over () as total
       from api_keys k
      where k.revoked_at is null
        and (k.expires_at is null or k.expires_at > $1)
        and not exists (select 1 from memberships m where m.workspace_id = k.workspace_id and m.user_id = k.created_by_id)
      order by k.created_at, k.id
      limit $2`,
    [now, KEY_EXAMPLES],
  );
  if (rows.length === 0) return [pass('P11', 'no active API key was created by a user who is not a member of its workspace')];
  const total = Number(rows[0].total);
  const examples = rows.map((row) => `key ${row.prefix}… (${row.id}) in workspace ${row.workspace_id}, created by user ${row.created_by_id}`);
  return [
    fail(
      'P11',
      `${total} active API key${total === 1 ? ' was' : 's were'} created by a user who is not a member of its workspace (revoke them): ${examples.join('; ')}${total > rows.length ? '; ...' : ''}`,
    ),
  ];
}
