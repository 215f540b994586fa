import { Controller, Get, HttpCode, Param, Post, UseGuards } from '@nestjs/common';
import { InvitationService } from '@nomosly/accounts';
import { BearerAuthGuard } from '../auth/bearer-auth.guard';
import { SignedIn, type SignedInUser } from '../auth/signed-in';
import type { AcceptedInvitation, ReceivedInvitations } from './invitations.dto';

/** `/api/me/invitations`: the invitations addressed to the caller's verified email, and accepting one. */
@Controller('api/me/invitations')
@UseGuards(BearerAuthGuard)
export class InvitationsController {
  constructor(private readonly invitations: InvitationService) {}

  @Get()
  async list(@SignedIn() user: SignedInUser): Promise<ReceivedInvitations> {
    return { invitations: await this.invitations.receivedBy(user.userId) };
  }

  @Post(':invitationId/accept')
  @HttpCode(200)
  async accept(@SignedIn() user: SignedInUser, @Param('invitationId') invitationId: string): Promise<AcceptedInvitation> {
    return { workspace: await this.invitations.accept(user.userId, invitationId) };
  }
}
