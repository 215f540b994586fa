import { Body, Controller, Put, UseGuards } from '@nestjs/common';
import { BearerAuthGuard } from '../auth/bearer-auth.guard';
import { SignedIn, type SignedInUser } from '../auth/signed-in';
import { parseBody } from '../http/parse-body';
import type { ProfileBody } from './profile.dto';
import { restrictionSchema } from './restriction.dto';
import { ProcessingRestriction } from './restriction.service';

/** `PUT /api/me/restriction` `{ restricted }`: restricts processing of the caller's data, or lifts it; answers GET /api/me's body. */
@Controller('api/me/restriction')
@UseGuards(BearerAuthGuard)
export class RestrictionController {
  constructor(private readonly restriction: ProcessingRestriction) {}

  @Put()
  set(@SignedIn() user: SignedInUser, @Body() body: unknown): Promise<ProfileBody> {
    return this.restriction.set(user.userId, parseBody(restrictionSchema, body).restricted);
  }
}
