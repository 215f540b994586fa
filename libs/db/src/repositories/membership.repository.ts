import { EntityRepository } from '@mikro-orm/postgresql';
import type { Membership, WorkspaceRole } from '../entities/membership.entity';

export class MembershipRepository extends EntityRepository<Membership> {
  /** The user's membership of this workspace, or null when they are not a member. */
  findOf(workspaceId: string, userId: string): Promise<Membership | null> {
    return this.findOne({ workspace: workspaceId, user: userId });
  }

  /** Every workspace the user belongs to, oldest membership first. */
  findWorkspacesOf(userId: string): Promise<Membership[]> {
    return this.find({ user: userId }, { populate: ['workspace'], orderBy: { createdAt: 'asc', workspace: { id: 'asc' } } });
  }

  /** Every member of the workspace, oldest first. */
  findMembersOf(workspaceId: string): Promise<Membership[]> {
    return this.find({ workspace: workspaceId }, { populate: ['user'], orderBy: { createdAt: 'asc', user: { id: 'asc' } } });
  }

  /** The oldest workspace this user owns: their personal one. */
  findOldestOwnedBy(userId: string): Promise<Membership | null> {
    return this.findOne({ user: userId, role: 'owner' satisfies WorkspaceRole }, { orderBy: { createdAt: 'asc' }, populate: ['workspace'] });
  }

  /** The workspace's members who go by this email, a verified one first. */
  findMembersWithEmail(workspaceId: string, email: string): Promise<Membership[]> {
    return this.find(
      { workspace: workspaceId, user: { email } },
      { populate: ['user', 'workspace'], orderBy: { user: { emailVerified: 'desc', createdAt: 'asc' } } },
    );
  }

  countWithRole(workspaceId: string, role: WorkspaceRole): Promise<number> {
    return this.count({ workspace: workspaceId, role });
  }
}
