import { EntityRepository, LockMode } from '@mikro-orm/postgresql';
import type { Invitation } from '../entities/invitation.entity';

export class InvitationRepository extends EntityRepository<Invitation> {
  /** The workspace's invitations not accepted and not expired at `now`, oldest first. */
  findPendingIn(workspaceId: string, now: Date): Promise<Invitation[]> {
    return this.find({ workspace: workspaceId, acceptedAt: null, expiresAt: { $gt: now } }, { orderBy: { createdAt: 'asc', id: 'asc' } });
  }

  /** The invitations addressed to this email, not accepted and not expired at `now`, oldest first, with their workspace. */
  findPendingFor(email: string, now: Date): Promise<Invitation[]> {
    return this.find({ email, acceptedAt: null, expiresAt: { $gt: now } }, { populate: ['workspace'], orderBy: { createdAt: 'asc', id: 'asc' } });
  }

  /** The workspace's not yet accepted invitation of this email (expired or not), or null. */
  findUnacceptedOf(workspaceId: string, email: string): Promise<Invitation | null> {
    return this.findOne({ workspace: workspaceId, email, acceptedAt: null });
  }

  /**
   * Deletes the workspace's not yet accepted invitation with this id, in one statement (an accept that commits
   * first leaves it standing); returns how many rows went, 0 or 1.
   */
  deleteUnacceptedIn(workspaceId: string, id: string): Promise<number> {
    return this.nativeDelete({ id, workspace: workspaceId, acceptedAt: null });
  }

  /** The invitation with this id, locked for the rest of the transaction (so that it is accepted once). */
  findLocked(id: string): Promise<Invitation | null> {
    return this.findOne({ id }, { lockMode: LockMode.PESSIMISTIC_WRITE });
  }
}
