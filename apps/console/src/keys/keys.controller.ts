import { Body, Controller, Delete, Get, HttpCode, Param, Post, UseGuards } from '@nestjs/common';
import { BearerAuthGuard } from '../auth/bearer-auth.guard';
import { SignedIn, type SignedInUser } from '../auth/signed-in';
import { WorkspaceMemberGuard } from '../auth/workspace-member.guard';
import { parseBody } from '../http/parse-body';
import { type IssuedKeyBody, type KeyList, type RevokedKey, createKeySchema, rotateKeySchema } from './keys.dto';
import { KeysService } from './keys.service';

/** `/api/workspaces/:ws/keys`: any member lists and creates keys; owners and a key's creator revoke, rotate and delete it. */
@Controller('api/workspaces/:ws/keys')
@UseGuards(BearerAuthGuard, WorkspaceMemberGuard)
export class KeysController {
  constructor(private readonly keys: KeysService) {}

  @Get()
  async list(@Param('ws') workspaceId: string): Promise<KeyList> {
    return { keys: await this.keys.list(workspaceId) };
  }

  @Post()
  create(@Param('ws') workspaceId: string, @SignedIn() user: SignedInUser, @Body() body: unknown): Promise<IssuedKeyBody> {
    return this.keys.create(workspaceId, user.userId, parseBody(createKeySchema, body));
  }

  @Post(':id/revoke')
  @HttpCode(200)
  async revoke(@Param('ws') workspaceId: string, @Param('id') keyId: string, @SignedIn() user: SignedInUser): Promise<RevokedKey> {
    return { key: await this.keys.revoke(workspaceId, keyId, user.userId) };
  }

  @Post(':id/rotate')
  rotate(
    @Param('ws') workspaceId: string,
    @Param('id') keyId: string,
    @SignedIn() user: SignedInUser,
    @Body() body: unknown,
  ): Promise<IssuedKeyBody> {
    return this.keys.rotate(workspaceId, keyId, user.userId, parseBody(rotateKeySchema, body).overlapSeconds);
  }

  @Delete(':id')
  @HttpCode(204)
  async delete(@Param('ws') workspaceId: string, @Param('id') keyId: string, @SignedIn() user: SignedInUser): Promise<void> {
    await this.keys.delete(workspaceId, keyId, user.userId);
  }
}
