import { Controller, Get, Res, UseGuards } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { BearerAuthGuard } from '../auth/bearer-auth.guard';
import { SignedIn, type SignedInUser } from '../auth/signed-in';
import { ExportPool } from './export-pool';
import { ExportService } from './export.service';

/** `GET /api/me/export`: the signed-in user's data (P8), a zip streamed as it is read. */
@Controller('api/me')
@UseGuards(BearerAuthGuard)
export class ExportController {
  constructor(private readonly exports: ExportService) {}

  @Get('export')
  async export(@SignedIn() user: SignedInUser, @Res() reply: FastifyReply): Promise<void> {
    const now = new Date();
    const zip = await this.exports.open(user.userId, now);
    await reply
      .header('content-type', 'application/zip')
      .header('content-disposition', `attachment; filename="nomosly-export-${now.toISOString().slice(0, 10)}.zip"`)
      .header('cache-control', 'no-store')
      .send(zip);
  }
}

export const EXPORT_PROVIDERS = [ExportPool, ExportService];
