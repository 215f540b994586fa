import { Body, Controller, Get, Patch, UseGuards } from '@nestjs/common';
import { ProfileService } from '@nomosly/accounts';
import { BearerAuthGuard } from '../auth/bearer-auth.guard';
import { SignedIn, type SignedInUser } from '../auth/signed-in';
import { parseBody } from '../http/parse-body';
import type { ProfileBody } from './profile.dto';
import { updateMeSchema } from './update-me.dto';

/** `GET /api/me`, `PATCH /api/me`: the signed-in user and the workspaces they belong to. */
@Controller('api/me')
@UseGuards(BearerAuthGuard)
export class MeController {
  constructor(private readonly profiles: ProfileService) {}

  @Get()
  get(@SignedIn() user: SignedInUser): Promise<ProfileBody> {
    return this.profiles.get(user.userId);
  }

  @Patch()
  update(@SignedIn() user: SignedInUser, @Body() body: unknown): Promise<ProfileBody> {
    return this.profiles.update(user.userId, parseBody(updateMeSchema, body));
  }
}
