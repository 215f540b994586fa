import type { EntityManager } from '@mikro-orm/postgresql';
import { Membership, User, Workspace, WorkspaceRole } from '@nomosly/db';

/** Emails are stored trimmed and lower-cased, so that one address has one spelling. */
export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

export function personalWorkspaceName(email: string): string {
  return `${email}'s workspace`;
}

/**
 * The user the admin CLI made for this email who has never signed in, created when there is none. Such a user
 * becomes a person only when someone signs in with this email verified. Call inside a transaction.
 */
export async function findOrCreateUnclaimedUser(tx: EntityManager, email: string): Promise<{ user: User; created: boolean }> {
  const normalized = normalizeEmail(email);
  const existing = await tx.getRepository(User).findUnclaimedByEmail(normalized);
  if (existing) return { user: existing, created: false };
  return { user: tx.create(User, { email: normalized }), created: true };
}

/**
 * The oldest workspace the user owns; when they own none, a new "<email>'s workspace" that is personal to them.
 * A user has one personal workspace at most (a unique column): of two concurrent calls for one user, the
 * second fails to commit with a UniqueConstraintViolationException. Call inside a transaction.
 */
export async function ensurePersonalWorkspace(tx: EntityManager, user: User, { isNewUser }: { isNewUser: boolean }): Promise<Workspace> {
  const owned = isNewUser ? null : await tx.getRepository(Membership).findOldestOwnedBy(user.id);
  if (owned) return owned.workspace.getEntity();
  const workspace = tx.create(Workspace, { name: personalWorkspaceName(user.email), personalOwner: user });
  tx.create(Membership, { workspace, user, role: WorkspaceRole.Owner });
  return workspace;
}
