import { Inject, Injectable } from '@nestjs/common';
import { WorkspaceService, type WorkspaceSettings } from '@nomosly/accounts';
import { KeyEventsPublisher } from '../events/key-events.publisher';
import { WORKSPACE_LIMITS_READER, type WorkspaceLimitsReader, type WorkspaceUsageLimits } from './workspace-limits-reader';

export interface WorkspaceLimits extends WorkspaceUsageLimits {
  monthlySpendCapCents: number | null;
}

/** A workspace's limits and this month's use; the owner sets the spend cap, and the gateways hear of it. */
@Injectable()
export class LimitsService {
  constructor(
    private readonly workspaces: WorkspaceService,
    @Inject(WORKSPACE_LIMITS_READER) private readonly reader: WorkspaceLimitsReader,
    private readonly events: KeyEventsPublisher,
  ) {}

  async get(workspaceId: string): Promise<WorkspaceLimits> {
    return this.withUsage(await this.workspaces.get(workspaceId));
  }

  async setSpendCap(workspaceId: string, monthlySpendCapCents: number | null): Promise<WorkspaceLimits> {
    const workspace = await this.workspaces.setSpendCap(workspaceId, monthlySpendCapCents);
    await this.events.publish({ type: 'workspace', workspaceId: workspace.id });
    return this.withUsage(workspace);
  }

  private async withUsage(workspace: WorkspaceSettings): Promise<WorkspaceLimits> {
    const usage = await this.reader.read(workspace);
    return { ...usage, monthlySpendCapCents: workspace.monthlySpendCapCents };
  }
}
