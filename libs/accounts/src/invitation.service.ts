import { type EntityManager, UniqueConstraintViolationException, ref } from '@mikro-orm/postgresql';
import { Invitation, Membership, User, Workspace, WorkspaceRole } from '@nomosly/db';
import { conflict, notFound, requireId } from './accounts-error';
import { normalizeEmail } from './provisioning';
import { type InvitationView, type ReceivedInvitationView, type WorkspaceMembershipView, toInvitationView, toReceivedInvitationView } from './views';

export const INVITATION_TTL_DAYS = 7;

/**
 * Invitations to a workspace: an owner invites an email address, and only a signed-in user whose verified email
 * it is can accept, within INVITATION_TTL_DAYS. Nothing is ever attached to whichever account holds the address.
 */
export class InvitationService {
  constructor(
    private readonly em: EntityManager,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async invite(workspaceId: string, invitedByUserId: string, email: string, role: WorkspaceRole): Promise<InvitationView> {
    const id = requireId(workspaceId, 'workspace');
    const address = normalizeEmail(email);
    try {
      return await this.em.fork().transactional(async (tx) => {
        const workspace = await tx.findOne(Workspace, { id });
        if (!workspace) throw notFound('workspace');
        if ((await tx.getRepository(Membership).findMembersWithEmail(id, address)).length > 0) {
          throw conflict(`${address} is already a member of this workspace.`);
        }
        const now = this.now();
        const previous = await tx.getRepository(Invitation).findUnacceptedOf(id, address);
        if (previous && previous.expiresAt > now) {
          throw conflict(`${address} is already invited (until ${previous.expiresAt.toISOString()}); delete that invitation to invite them again.`);
        }
        if (previous) {
          tx.remove(previous);
          await tx.flush();
        }
        const invitation = tx.create(Invitation, {
          workspace,
          email: address,
          role,
          invitedBy: tx.getReference(User, invitedByUserId),
          createdAt: now,
          expiresAt: new Date(now.getTime() + INVITATION_TTL_DAYS * 86_400_000),
        });
        await tx.flush();
        return toInvitationView(invitation);
      });
    } catch (error) {
      // One pending invitation per workspace and email (a unique index): a concurrent invite made it first.
      if (error instanceof UniqueConstraintViolationException) throw conflict(`${address} is already invited to this workspace.`);
      throw error;
    }
  }

  /**
   * Withdraws an invitation not accepted yet, in one statement: an accept committed in between leaves it standing
   * (and this is not found), so no membership is ever left without its accepted invitation row.
   */
  async delete(workspaceId: string, invitationId: string): Promise<void> {
    const workspace = requireId(workspaceId, 'workspace');
    const id = requireId(invitationId, 'invitation');
    if ((await this.em.fork().getRepository(Invitation).deleteUnacceptedIn(workspace, id)) === 0) throw notFound('invitation');
  }

  /** The invitations that the user's verified email can accept; none while the email is unverified. */
  async receivedBy(userId: string): Promise<ReceivedInvitationView[]> {
    const em = this.em.fork();
    const user = await em.findOne(User, { id: userId });
    if (!user) throw notFound('user');
    if (!user.emailVerified) return [];
    return (await em.getRepository(Invitation).findPendingFor(user.email, this.now())).map(toReceivedInvitationView);
  }

  /**
   * Makes the user a member with the invitation's role. Not found unless the user's verified email is the one
   * invited (so an invitation's existence is revealed to no one else); an expired or accepted one is a conflict.
   */
  async accept(userId: string, invitationId: string): Promise<WorkspaceMembershipView> {
    const id = requireId(invitationId, 'invitation');
    return this.em.fork().transactional(async (tx) => {
      const user = await tx.findOne(User, { id: userId });
      const invitation = await tx.getRepository(Invitation).findLocked(id);
      if (!user || !invitation || !user.emailVerified || invitation.email !== user.email) throw notFound('invitation');
      const now = this.now();
      if (invitation.acceptedAt) throw conflict('This invitation has already been accepted.');
      if (invitation.expiresAt <= now) throw conflict('This invitation has expired; ask an owner of the workspace to invite you again.');
      const workspace = await invitation.workspace.loadOrFail();
      const membership =
        (await tx.getRepository(Membership).findOf(workspace.id, user.id)) ?? tx.create(Membership, { workspace, user, role: invitation.role });
      invitation.acceptedAt = now;
      invitation.acceptedBy = ref(user);
      await tx.flush();
      return { id: workspace.id, name: workspace.name, role: membership.role };
    });
  }
}
