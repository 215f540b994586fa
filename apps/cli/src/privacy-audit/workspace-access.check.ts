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
