import { LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { Membership, User, WorkspaceRole } from '@nomosly/db';
import { notFound } from './accounts-error';

/**
 * A user's restriction of processing (data rights): while set, every key of the workspaces they own is refused.
 * Nothing is deleted or changed but the user's `restricted_at`.
 */
export class RestrictionService {
  constructor(private readonly em: EntityManager) {}

  /**
   * Sets or lifts the restriction and answers the workspaces the user owns now, whose keys the gateways must
   * look up again. Setting it twice keeps the first moment.
   */
  async setRestricted(userId: string, restricted: boolean): Promise<{ ownedWorkspaceIds: string[] }> {
    return this.em.fork().transactional(async (em) => {
      const user = await em.findOne(User, { id: userId }, { lockMode: LockMode.PESSIMISTIC_WRITE });
      if (!user) throw notFound('user');
      user.restrictedAt = restricted ? (user.restrictedAt ?? new Date()) : null;
      const owned = await em.find(Membership, { user: userId, role: WorkspaceRole.Owner });
      return { ownedWorkspaceIds: owned.map((membership) => membership.workspace.id) };
    });
  }
}
