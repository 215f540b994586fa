import { Injectable } from '@nestjs/common';
import { planNumbersOf } from './plan-defaults';

/** What a workspace may use and has used this month, as `GET /api/workspaces/:ws/limits` shows it. */
export interface WorkspaceUsageLimits {
  plan: string;
  rateLimitPerSecond: number;
  monthlyUnitQuota: number;
  unitsThisMonth: number;
  spendThisMonthCents: number;
}

/** Reads a workspace's plan numbers and this month's counters. */
export interface WorkspaceLimitsReader {
  read(workspace: { id: string; plan: string }): Promise<WorkspaceUsageLimits>;
}

export const WORKSPACE_LIMITS_READER = Symbol('WORKSPACE_LIMITS_READER');

/**
 * Plan numbers from the local plan defaults, and no usage counted: this console build has no usage counters
 * to read, so it reports 0 units and 0 cents until the reader backed by @nomosly/limits replaces it.
 */
@Injectable()
export class PlanDefaultsLimitsReader implements WorkspaceLimitsReader {
  async read(workspace: { id: string; plan: string }): Promise<WorkspaceUsageLimits> {
    const numbers = planNumbersOf(workspace.plan);
    const unitsThisMonth = 0;
    return {
      plan: workspace.plan,
      rateLimitPerSecond: numbers.rateLimitPerSecond,
      monthlyUnitQuota: numbers.monthlyUnitQuota,
      unitsThisMonth,
      spendThisMonthCents: Math.ceil((unitsThisMonth * numbers.centsPer1000Units) / 1000),
    };
  }
}
