import { Controller, Delete, HttpCode, Post, UseGuards } from '@nestjs/common';
import { BearerAuthGuard } from '../auth/bearer-auth.guard';
import { SignedIn, type SignedInUser } from '../auth/signed-in';
import type { DeletionCountdownBody } from './deletion.dto';
import { DeletionService } from './deletion.service';

/** `POST /api/me/deletion` starts the account deletion countdown; `DELETE /api/me/deletion` cancels it (P7). */
@Controller('api/me/deletion')
@UseGuards(BearerAuthGuard)
export class DeletionController {
  constructor(private readonly deletion: DeletionService) {}

  @Post()
  @HttpCode(202)
  schedule(@SignedIn() user: SignedInUser): Promise<DeletionCountdownBody> {
    return this.deletion.schedule(user.userId);
  }

  @Delete()
  @HttpCode(204)
  async cancel(@SignedIn() user: SignedInUser): Promise<void> {
    await this.deletion.cancel(user.userId);
  }
}
