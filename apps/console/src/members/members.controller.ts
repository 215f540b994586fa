import { Body, Controller, Delete, Get, HttpCode, Param, Post, UseGuards } from '@nestjs/common';
import { InvitationService, MemberService } from '@nomosly/accounts';
import { BearerAuthGuard } from '../auth/bearer-auth.guard';
import { SignedIn, type SignedInUser } from '../auth/signed-in';
import { OwnerOnly, OwnerOrSelf, WorkspaceMemberGuard } from '../auth/workspace-member.guard';
import { parseBody } from '../http/parse-body';
import { type Invited, type RosterBody, inviteSchema } from './members.dto';
import { MembersService } from './members.service';

/**
 * `/api/workspaces/:ws/members` and `.../invitations`: members see who belongs and who is invited; an owner
 * invites (a pending invitation, never a membership) and removes; a member may leave.
 */
@Controller('api/workspaces/:ws')
@UseGuards(BearerAuthGuard, WorkspaceMemberGuard)
export class MembersController {
  constructor(
    private readonly roster: MemberService,
    private readonly members: MembersService,
    private readonly invitations: InvitationService,
  ) {}

  @Get('members')
  list(@Param('ws') workspaceId: string): Promise<RosterBody> {
    return this.roster.list(workspaceId);
  }

  @Post('members')
  @OwnerOnly()
  async invite(@Param('ws') workspaceId: string, @SignedIn() user: SignedInUser, @Body() body: unknown): Promise<Invited> {
    const { email, role } = parseBody(inviteSchema, body);
    return { invitation: await this.invitations.invite(workspaceId, user.userId, email, role) };
  }

  @Delete('invitations/:invitationId')
  @OwnerOnly()
  @HttpCode(204)
  async deleteInvitation(@Param('ws') workspaceId: string, @Param('invitationId') invitationId: string): Promise<void> {
    await this.invitations.delete(workspaceId, invitationId);
  }

  @Delete('members/:userId')
  @OwnerOrSelf('userId')
  @HttpCode(204)
  async remove(@Param('ws') workspaceId: string, @Param('userId') userId: string): Promise<void> {
    await this.members.remove(workspaceId, userId);
  }
}
