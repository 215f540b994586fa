import { type EntityManager, LockMode } from '@mikro-orm/postgresql';
import { ApiKey, Invitation, Membership, Workspace, WorkspaceRole } from '@nomosly/db';
import { conflict, notFound, requireId } from './accounts-error';
import type { KeyChange } from './api-key.service';
import { type InvitationView, type MemberView, toInvitationView, toKeyView, toMemberView } from './views';

export interface Roster {
  members: MemberView[];
  /** Invitations that can still be accepted. */
  invitations: InvitationView[];
}

/** A workspace's members: who belongs and who is invited; removing one revokes the keys they created there. */
export class MemberService {
  constructor(
    private readonly em: EntityManager,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async list(workspaceId: string): Promise<Roster> {
    const id = requireId(workspaceId, 'workspace');
    const em = this.em.fork();
    const memberships = await em.getRepository(Membership).findMembersOf(id);
    const invitations = await em.getRepository(Invitation).findPendingIn(id, this.now());
    return { members: memberships.map(toMemberView), invitations: invitations.map(toInvitationView) };
  }

  /**
   * Removes a member and revokes every key they created in the workspace, returning those keys for the gateways
   * to drop; a workspace always keeps at least one owner.
   */
  async remove(workspaceId: string, userId: string): Promise<KeyChange[]> {
    const id = requireId(workspaceId, 'workspace');
    const memberId = requireId(userId, 'member');
    return this.em.fork().transactional(async (tx) => {
      // Locks the workspace so that two owners removing each other at once cannot leave it with none.
      const workspace = await tx.findOne(Workspace, { id }, { lockMode: LockMode.PESSIMISTIC_WRITE });
      if (!workspace) throw notFound('workspace');
      const memberships = tx.getRepository(Membership);
      const membership = await memberships.findOf(id, memberId);
      if (!membership) throw notFound('member');
      if (membership.role === WorkspaceRole.Owner && (await memberships.countWithRole(id, WorkspaceRole.Owner)) <= 1) {
        throw conflict('The last owner of a workspace cannot be removed; make another member an owner first.');
      }
      tx.remove(membership);
      if (workspace.personalOwner?.id === memberId) workspace.personalOwner = null;
      const now = this.now();
      const keys = await tx.getRepository(ApiKey).findUnrevokedCreatedBy(id, memberId);
      for (const key of keys) key.revokedAt = now;
      await tx.flush();
      return keys.map((key) => ({ key: toKeyView(key), hash: key.hash }));
    });
  }
}
