import type { EntityManager } from '@mikro-orm/postgresql';
import { generateApiKey } from '@nomosly/api-keys';
import type { Scope } from '@nomosly/contracts';
import { ApiKey, Membership, User, type Workspace } from '@nomosly/db';
import type { Plans } from '@nomosly/limits';
import { conflict, invalid, requireId } from './accounts-error';
import { requireRoomForKey } from './key-room';
import { ensurePersonalWorkspace, findOrCreateUnclaimedUser, normalizeEmail } from './provisioning';

export interface ProvisionKeyInput {
  email: string;
  name: string;
  scopes: readonly Scope[];
  dailyLimit: number | null;
  /** The workspace the key is for, of which the email's user must be a member; needed once that user signs in. */
  workspaceId?: string;
  /**
   * Revokes this user's unrevoked keys of the same name in the workspace first (npm start's demo key, made anew each
   * start); other members' keys are never touched. Their hashes come back in `replaced`, for the caller to announce
   * to the gateways once this has committed.
   */
  replace?: boolean;
}

export interface ProvisionedKey {
  secret: string;
  key: ApiKey;
  user: User;
  workspace: Workspace;
  createdUser: boolean;
  /** The hashes of the keys `replace` revoked, which gateways key their caches by. */
  replaced: string[];
}

/**
 * The admin CLI's `keys create`: an API key for the user with this email. Without a workspace, only for a user
 * who has never signed in (made here with a personal workspace when there is none, and claimable only by a
 * sign-in with that email verified): an email does not say who a person who signs in is, so the key is never
 * put into whichever workspace an account under that address owns. Everything happens in one transaction.
 * Refused (conflict) when the workspace already has its plan's maxActiveKeys active keys.
 */
export async function provisionKey(em: EntityManager, input: ProvisionKeyInput, plans: Plans): Promise<ProvisionedKey> {
  const email = normalizeEmail(input.email);
  return em.transactional(async (tx) => {
    const { user, workspace, created } = input.workspaceId === undefined ? await unclaimedUserOf(tx, email) : await memberOf(tx, input.workspaceId, email);
    // A new user's workspace is written first, so that its row exists to be locked.
    await tx.flush();
    const now = new Date();
    const replaced = input.replace ? await tx.find(ApiKey, { workspace, createdBy: user, name: input.name, revokedAt: null }) : [];
    for (const old of replaced) old.revokedAt = now;
    await tx.flush();
    await requireRoomForKey(tx, workspace, user.id, plans, now);
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
    return { secret: generated.secret, key, user, workspace, createdUser: created, replaced: replaced.map((old) => old.hash) };
  });
}

async function unclaimedUserOf(tx: EntityManager, email: string): Promise<{ user: User; workspace: Workspace; created: boolean }> {
  if (await tx.getRepository(User).anySignsInWithEmail(email)) {
    throw conflict(`${email} belongs to a user who signs in to the console: name the workspace the key is for (--workspace <id>), or let them create it in the console.`);
  }
  const { user, created } = await findOrCreateUnclaimedUser(tx, email);
  return { user, workspace: await ensurePersonalWorkspace(tx, user, { isNewUser: created }), created };
}

async function memberOf(tx: EntityManager, workspaceId: string, email: string): Promise<{ user: User; workspace: Workspace; created: boolean }> {
  const id = requireId(workspaceId, 'workspace');
  const [membership] = await tx.getRepository(Membership).findMembersWithEmail(id, email);
  if (!membership) throw invalid(`${email} is not a member of workspace ${id}.`);
  return { user: membership.user.getEntity(), workspace: membership.workspace.getEntity(), created: false };
}
