import { Inject, Injectable } from '@nestjs/common';
import { WorkspaceService, type WorkspaceSettings } from '@nomosly/accounts';
import { LimitsStore, Plans, limitsStoreOptions, spendCents } from '@nomosly/limits';
import { CONSOLE_CONFIG, type ConsoleConfig } from '../config';
import { EventsRedis } from '../events/events-redis';
import { KeyEventsPublisher } from '../events/key-events.publisher';

/** `GET /api/workspaces/:ws/limits`: the plan's numbers, this month's use, and the owner's spend cap. */
export interface WorkspaceLimits {
  plan: string;
  rateLimitPerSecond: number;
  /** Per workspace, over all its keys: requests per second, calls in progress at once (at most), active keys. */
  workspaceRequestsPerSecond: number;
  maxInFlight: number;
  maxActiveKeys: number;
  monthlyUnitQuota: number;
  unitsThisMonth: number;
  spendThisMonthCents: number;
  monthlySpendCapCents: number | null;
}

/**
 * A workspace's limits and this month's use, read from the same plans (PLANS) and counters (the events Redis)
 * the gateways enforce; the owner sets the spend cap, and the gateways hear of it.
 */
@Injectable()
export class LimitsService {
  private readonly counters: LimitsStore;

  constructor(
    private readonly workspaces: WorkspaceService,
    private readonly events: KeyEventsPublisher,
    private readonly plans: Plans,
    redis: EventsRedis,
    @Inject(CONSOLE_CONFIG) config: ConsoleConfig,
  ) {
    this.counters = new LimitsStore(redis.client, limitsStoreOptions(config.QUEUE_PREFIX));
  }

  async get(workspaceId: string): Promise<WorkspaceLimits> {
    return this.withUsage(await this.workspaces.get(workspaceId));
  }

  async setSpendCap(workspaceId: string, monthlySpendCapCents: number | null): Promise<WorkspaceLimits> {
    const workspace = await this.workspaces.setSpendCap(workspaceId, monthlySpendCapCents);
    await this.events.publish({ type: 'workspace', workspaceId: workspace.id });
    return this.withUsage(workspace);
  }

  private async withUsage(workspace: WorkspaceSettings): Promise<WorkspaceLimits> {
    const plan = this.plans.of(workspace.plan);
    const unitsThisMonth = await this.counters.unitsThisMonth(workspace.id);
    return {
      plan: workspace.plan,
      rateLimitPerSecond: plan.rateLimitPerSecond,
      workspaceRequestsPerSecond: plan.workspaceRequestsPerSecond,
      maxInFlight: plan.maxInFlight,
      maxActiveKeys: plan.maxActiveKeys,
      monthlyUnitQuota: plan.monthlyUnitQuota,
      unitsThisMonth,
      spendThisMonthCents: spendCents(unitsThisMonth, plan),
      monthlySpendCapCents: workspace.monthlySpendCapCents,
    };
  }
}
