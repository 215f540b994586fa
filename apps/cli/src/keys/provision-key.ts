import type { EntityManager } from '@mikro-orm/postgresql';
import { generateApiKey } from '@nomosly/api-keys';
import type { Scope } from '@nomosly/contracts';
import { ApiKey, Membership, User, Workspace, WorkspaceRole } from '@nomosly/db';

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
 * Creates an API key for the user with this email, creating the user and a personal workspace first when
 * they do not exist yet. Everything happens in one transaction.
 */
export async function provisionKey(em: EntityManager, input: ProvisionKeyInput): Promise<ProvisionedKey> {
  const email = input.email.trim().toLowerCase();
  return em.transactional(async (tx) => {
    let user = await tx.findOne(User, { email });
    const createdUser = user === null;
    if (!user) {
      user = tx.create(User, { email });
    }
    const owned = createdUser
      ? null
      : await tx.findOne(Membership, { user, role: WorkspaceRole.Owner }, { orderBy: { createdAt: 'asc' }, populate: ['workspace'] });
    let workspace: Workspace;
    if (owned) {
      workspace = owned.workspace.getEntity();
    } else {
      workspace = tx.create(Workspace, { name: `${email}'s workspace` });
      tx.create(Membership, { workspace, user, role: WorkspaceRole.Owner });
    }
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
    return { secret: generated.secret, key, user, workspace, createdUser };
  });
}
