import { Controller, Get, Param, Query, UseGuards } from '@nestjs/common';
import { BearerAuthGuard } from '../auth/bearer-auth.guard';
import { WorkspaceMemberGuard } from '../auth/workspace-member.guard';
import { parseQuery } from '../http/parse-body';
import { type RequestsPageBody, requestsQuerySchema } from './requests.dto';
import { RequestsService } from './requests.service';

/** `/api/workspaces/:ws/requests`: any member reads the workspace's request log. */
@Controller('api/workspaces/:ws/requests')
@UseGuards(BearerAuthGuard, WorkspaceMemberGuard)
export class RequestsController {
  constructor(private readonly requests: RequestsService) {}

  @Get()
  list(@Param('ws') workspaceId: string, @Query() query: unknown): Promise<RequestsPageBody> {
    return this.requests.page(workspaceId, parseQuery(requestsQuerySchema, query));
  }
}
