import { type EntityManager, LockMode } from '@mikro-orm/postgresql';
import { Membership, Workspace, WorkspaceRole } from '@nomosly/db';
import { invalid, notFound, requireId } from './accounts-error';
import { findOrCreateUser } from './provisioning';
import { type MemberView, toMemberView } from './views';

/** A workspace's members: list, invite by email (the user row exists before they first sign in), remove. */
export class MemberService {
  constructor(private readonly em: EntityManager) {}

  async list(workspaceId: string): Promise<MemberView[]> {
    const memberships = await this.em.fork().getRepository(Membership).findMembersOf(requireId(workspaceId, 'workspace'));
    return memberships.map(toMemberView);
  }

  async add(workspaceId: string, email: string, role: WorkspaceRole): Promise<MemberView> {
    const id = requireId(workspaceId, 'workspace');
    return this.em.fork().transactional(async (tx) => {
      const workspace = await tx.findOne(Workspace, { id });
      if (!workspace) throw notFound('workspace');
      const { user, created } = await findOrCreateUser(tx, email);
      if (!created && (await tx.getRepository(Membership).findOf(id, user.id))) {
        throw invalid(`${user.email} is already a member of this workspace.`);
      }
      const membership = tx.create(Membership, { workspace, user, role });
      await tx.flush();
      return toMemberView(membership);
    });
  }

  /** Removes a member; a workspace always keeps at least one owner. */
  async remove(workspaceId: string, userId: string): Promise<void> {
    const id = requireId(workspaceId, 'workspace');
    const memberId = requireId(userId, 'member');
    await this.em.fork().transactional(async (tx) => {
      // Locks the workspace so that two owners removing each other at once cannot leave it with none.
      const workspace = await tx.findOne(Workspace, { id }, { lockMode: LockMode.PESSIMISTIC_WRITE });
      if (!workspace) throw notFound('workspace');
      const memberships = tx.getRepository(Membership);
      const membership = await memberships.findOf(id, memberId);
      if (!membership) throw notFound('member');
      if (membership.role === WorkspaceRole.Owner && (await memberships.countWithRole(id, WorkspaceRole.Owner)) <= 1) {
        throw invalid('The last owner of a workspace cannot be removed; make another member an owner first.');
      }
      tx.remove(membership);
      await tx.flush();
    });
  }
}
