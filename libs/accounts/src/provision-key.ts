import type { EntityManager } from '@mikro-orm/postgresql';
import { generateApiKey } from '@nomosly/api-keys';
import type { Scope } from '@nomosly/contracts';
import { ApiKey, type User, type Workspace } from '@nomosly/db';
import { ensurePersonalWorkspace, findOrCreateUser } from './provisioning';

export interface ProvisionKeyInput {
  email: string;
  name: string;
  scopes: readonly Scope[];
  dailyLimit: number | null;
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
 * workspace first when they do not exist yet. Everything happens in one transaction.
 */
export async function provisionKey(em: EntityManager, input: ProvisionKeyInput): Promise<ProvisionedKey> {
  return em.transactional(async (tx) => {
    const { user, created } = await findOrCreateUser(tx, input.email);
    const workspace = await ensurePersonalWorkspace(tx, user, { isNewUser: created });
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
