import type { EntityManager } from '@mikro-orm/postgresql';
import { Membership, WorkspaceRole } from '@nomosly/db';
import { AccountsError, AccountsErrorCode, notFound, requireId } from './accounts-error';

/**
 * Who may see and change a workspace. Anyone who is not a member is told the workspace does not exist, so
 * existence is never revealed; a member who lacks the owner role is told so.
 */
export class WorkspaceAccessService {
  constructor(private readonly em: EntityManager) {}

  /** The caller's role in the workspace; NotFound when the id is malformed or the caller is not a member. */
  async roleIn(workspaceId: string, userId: string): Promise<WorkspaceRole> {
    const id = requireId(workspaceId, 'workspace');
    const membership = await this.em.fork().getRepository(Membership).findOf(id, userId);
    if (!membership) throw notFound('workspace');
    return membership.role;
  }

  async requireMember(workspaceId: string, userId: string): Promise<void> {
    await this.roleIn(workspaceId, userId);
  }

  /** The owner role, unless `subjectUserId` (from the route) is the caller themself, who only has to be a member. */
  async requireOwnerOrSelf(workspaceId: string, userId: string, subjectUserId: string): Promise<void> {
    if (subjectUserId.toLowerCase() === userId.toLowerCase()) await this.requireMember(workspaceId, userId);
    else await this.requireOwner(workspaceId, userId);
  }

  async requireOwner(workspaceId: string, userId: string): Promise<void> {
    if ((await this.roleIn(workspaceId, userId)) !== WorkspaceRole.Owner) {
      throw new AccountsError(AccountsErrorCode.OwnerOnly, 'Only an owner of this workspace can do this.');
    }
  }
}
