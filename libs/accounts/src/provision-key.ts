import type { EntityManager } from '@mikro-orm/postgresql';
import { generateApiKey } from '@nomosly/api-keys';
import type { Scope } from '@nomosly/contracts';
import { ApiKey, type User, type Workspace } from '@nomosly/db';
import type { Plans } from '@nomosly/limits';
import { requireRoomForKey } from './key-room';
import { ensurePersonalWorkspace, findOrCreateUser } from './provisioning';

export interface ProvisionKeyInput {
  email: string;
  name: string;
  scopes: readonly Scope[];
  dailyLimit: number | null;
  /** Revokes the workspace's active keys of the same name first (npm start's demo key, made anew each start). */
  replace?: boolean;
}

export interface ProvisionedKey {
  secret: string;
  key: ApiKey;
  user: User;
  workspace: Workspace;
  createdUser: boolean;
}

/**
 * The admin CLI's `keys create`: an API key for the user with this email, creating the user and a personal
 * workspace first when they do not exist yet. Everything happens in one transaction. Refused (conflict) when the
 * workspace already has its plan's maxActiveKeys active keys.
 */
export async function provisionKey(em: EntityManager, input: ProvisionKeyInput, plans: Plans): Promise<ProvisionedKey> {
  return em.transactional(async (tx) => {
    const { user, created } = await findOrCreateUser(tx, input.email);
    const workspace = await ensurePersonalWorkspace(tx, user, { isNewUser: created });
    // A new user's workspace is written first, so that its row exists to be locked.
    await tx.flush();
    const now = new Date();
    if (input.replace) await tx.nativeUpdate(ApiKey, { workspace, name: input.name, revokedAt: null }, { revokedAt: now });
    await requireRoomForKey(tx, workspace, plans, now);
    const generated = generateApiKey();
    const key = tx.create(ApiKey, {
      workspace,
      createdBy: user,
      name: input.name,
      prefix: generated.prefix,
      hash: generated.hash,
      scopes: [...input.scopes],
      dailyLimit: input.dailyLimit,
    });
    await tx.flush();
    return { secret: generated.secret, key, user, workspace, createdUser: created };
  });
}
