import { Body, Controller, Delete, Get, HttpCode, Param, Post, UseGuards } from '@nestjs/common';
import { MemberService, type MemberView } from '@nomosly/accounts';
import { BearerAuthGuard } from '../auth/bearer-auth.guard';
import { OwnerOnly, WorkspaceMemberGuard } from '../auth/workspace-member.guard';
import { parseBody } from '../http/parse-body';
import { addMemberSchema } from './members.dto';

/** `/api/workspaces/:ws/members`: members see who else belongs; only an owner invites and removes. */
@Controller('api/workspaces/:ws/members')
@UseGuards(BearerAuthGuard, WorkspaceMemberGuard)
export class MembersController {
  constructor(private readonly members: MemberService) {}

  @Get()
  async list(@Param('ws') workspaceId: string): Promise<{ members: MemberView[] }> {
    return { members: await this.members.list(workspaceId) };
  }

  @Post()
  @OwnerOnly()
  async add(@Param('ws') workspaceId: string, @Body() body: unknown): Promise<{ member: MemberView }> {
    const { email, role } = parseBody(addMemberSchema, body);
    return { member: await this.members.add(workspaceId, email, role) };
  }

  @Delete(':userId')
  @OwnerOnly()
  @HttpCode(204)
  async remove(@Param('ws') workspaceId: string, @Param('userId') userId: string): Promise<void> {
    await this.members.remove(workspaceId, userId);
  }
}
