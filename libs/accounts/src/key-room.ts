import { type EntityManager, LockMode } from '@mikro-orm/postgresql';
import { ApiKey, Membership, Workspace } from '@nomosly/db';
import type { Plans } from '@nomosly/limits';
import { conflict, notFound } from './accounts-error';

export interface KeyRoomOptions {
  /** A key that does not count (the one being rotated: a rotation at the cap still works, cap + 1 during its overlap). */
  excludingKeyId?: string;
}

/**
 * Refuses a new key when its creator is no longer a member of the workspace (not found), or when the workspace
 * already has as many active keys (neither revoked nor expired) as its plan's maxActiveKeys (conflict). Inside a
 * transaction: it locks the workspace row first, the lock MemberService.remove takes too, so that keys created
 * at once are counted one after another and never take the last place twice, and a member removed while their
 * key was being made never keeps a key that their removal did not revoke. Callers take this lock before any
 * key row's, the order remove keeps.
 */
export async function requireRoomForKey(
  tx: EntityManager,
  workspace: Workspace,
  creatorUserId: string,
  plans: Plans,
  now: Date,
  { excludingKeyId }: KeyRoomOptions = {},
): Promise<void> {
  await tx.lock(workspace, LockMode.PESSIMISTIC_WRITE);
  // Read after the lock: a removal that committed while this waited is seen here.
  if (!(await tx.getRepository(Membership).findOf(workspace.id, creatorUserId))) throw notFound('workspace');
  const { maxActiveKeys } = plans.of(workspace.plan);
  const active = await tx.count(ApiKey, {
    workspace,
    revokedAt: null,
    $or: [{ expiresAt: null }, { expiresAt: { $gt: now } }],
    ...(excludingKeyId === undefined ? {} : { id: { $ne: excludingKeyId } }),
  });
  if (active >= maxActiveKeys) {
    throw conflict(
      `This workspace already has ${active} active keys, the most its plan allows (${maxActiveKeys}); revoke a key it no longer needs, then create this one.`,
    );
  }
}
