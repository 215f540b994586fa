import { Controller, Get, HttpCode, Param, Post, UseGuards } from '@nestjs/common';
import { InvitationService, type ReceivedInvitationView, type WorkspaceMembershipView } from '@nomosly/accounts';
import { BearerAuthGuard } from '../auth/bearer-auth.guard';
import { SignedIn, type SignedInUser } from '../auth/signed-in';

/** `/api/me/invitations`: the invitations addressed to the caller's verified email, and accepting one. */
@Controller('api/me/invitations')
@UseGuards(BearerAuthGuard)
export class InvitationsController {
  constructor(private readonly invitations: InvitationService) {}

  @Get()
  async list(@SignedIn() user: SignedInUser): Promise<{ invitations: ReceivedInvitationView[] }> {
    return { invitations: await this.invitations.receivedBy(user.userId) };
  }

  @Post(':invitationId/accept')
  @HttpCode(200)
  async accept(@SignedIn() user: SignedInUser, @Param('invitationId') invitationId: string): Promise<{ workspace: WorkspaceMembershipView }> {
    return { workspace: await this.invitations.accept(user.userId, invitationId) };
  }
}
