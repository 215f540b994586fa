import { Body, Controller, Get, Param, Put, UseGuards } from '@nestjs/common';
import { BearerAuthGuard } from '../auth/bearer-auth.guard';
import { OwnerOnly, WorkspaceMemberGuard } from '../auth/workspace-member.guard';
import { parseBody } from '../http/parse-body';
import { type WorkspaceLimitsBody, putLimitsSchema } from './limits.dto';
import { LimitsService } from './limits.service';

/** `/api/workspaces/:ws/limits`: members read them; only an owner sets the monthly spend cap. */
@Controller('api/workspaces/:ws/limits')
@UseGuards(BearerAuthGuard, WorkspaceMemberGuard)
export class LimitsController {
  constructor(private readonly limits: LimitsService) {}

  @Get()
  get(@Param('ws') workspaceId: string): Promise<WorkspaceLimitsBody> {
    return this.limits.get(workspaceId);
  }

  @Put()
  @OwnerOnly()
  set(@Param('ws') workspaceId: string, @Body() body: unknown): Promise<WorkspaceLimitsBody> {
    return this.limits.setSpendCap(workspaceId, parseBody(putLimitsSchema, body).monthlySpendCapCents);
  }
}
