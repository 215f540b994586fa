import type { EntityManager } from '@mikro-orm/postgresql';
import { Membership, User, Workspace, WorkspaceRole } from '@nomosly/db';

/** Emails are stored trimmed and lower-cased, so that one address is one user whatever its spelling. */
export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

export function personalWorkspaceName(email: string): string {
  return `${email}'s workspace`;
}

/** The user with this email, created (unlinked to any sign-in yet) when there is none. Call inside a transaction. */
export async function findOrCreateUser(tx: EntityManager, email: string): Promise<{ user: User; created: boolean }> {
  const normalized = normalizeEmail(email);
  const existing = await tx.getRepository(User).findByEmail(normalized);
  if (existing) return { user: existing, created: false };
  return { user: tx.create(User, { email: normalized }), created: true };
}

/** The oldest workspace the user owns; a new "<email>'s workspace" they own when they own none. Call inside a transaction. */
export async function ensurePersonalWorkspace(tx: EntityManager, user: User, { isNewUser }: { isNewUser: boolean }): Promise<Workspace> {
  const owned = isNewUser ? null : await tx.getRepository(Membership).findOldestOwnedBy(user.id);
  if (owned) return owned.workspace.getEntity();
  const workspace = tx.create(Workspace, { name: personalWorkspaceName(user.email) });
  tx.create(Membership, { workspace, user, role: WorkspaceRole.Owner });
  return workspace;
}
