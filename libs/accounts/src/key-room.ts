import { type EntityManager, LockMode } from '@mikro-orm/postgresql';
import { ApiKey, Workspace } from '@nomosly/db';
import type { Plans } from '@nomosly/limits';
import { conflict } from './accounts-error';

/**
 * Refuses a new key when the workspace already has as many active keys (neither revoked nor expired) as its plan's
 * maxActiveKeys. Inside a transaction: it locks the workspace row first, so that keys created at once for the same
 * workspace are counted one after another and never take the last place twice.
 */
export async function requireRoomForKey(tx: EntityManager, workspace: Workspace, plans: Plans, now: Date): Promise<void> {
  await tx.lock(workspace, LockMode.PESSIMISTIC_WRITE);
  const { maxActiveKeys } = plans.of(workspace.plan);
  const active = await tx.count(ApiKey, { workspace, revokedAt: null, $or: [{ expiresAt: null }, { expiresAt: { $gt: now } }] });
  if (active >= maxActiveKeys) {
    throw conflict(
      `This workspace already has ${active} active keys, the most its plan allows (${maxActiveKeys}); revoke a key it no longer needs, then create this one.`,
    );
  }
}
