import { Controller, Get, Param, Query, Res, UseGuards } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { BearerAuthGuard } from '../auth/bearer-auth.guard';
import { WorkspaceMemberGuard } from '../auth/workspace-member.guard';
import { parseQuery } from '../http/parse-body';
import { type UsageReportBody, usagePeriodSchema, usageQuerySchema } from './usage.dto';
import { UsageService } from './usage.service';

/** `/api/workspaces/:ws/usage` and `usage.csv`: any member reads the workspace's usage (P4: usage is visible). */
@Controller('api/workspaces/:ws')
@UseGuards(BearerAuthGuard, WorkspaceMemberGuard)
export class UsageController {
  constructor(private readonly usage: UsageService) {}

  @Get('usage')
  report(@Param('ws') workspaceId: string, @Query() query: unknown): Promise<UsageReportBody> {
    return this.usage.report(workspaceId, parseQuery(usageQuerySchema, query));
  }

  @Get('usage.csv')
  async csv(@Param('ws') workspaceId: string, @Query() query: unknown, @Res({ passthrough: true }) reply: FastifyReply): Promise<string> {
    const period = parseQuery(usagePeriodSchema, query);
    const csv = await this.usage.csv(workspaceId, period);
    reply
      .header('content-type', 'text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="usage-${workspaceId}-${period.from}-${period.to}.csv"`);
    return csv;
  }
}
