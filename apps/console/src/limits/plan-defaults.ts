/**
 * The plans' numbers, as the console shows them. A local copy of the plan defaults: at integration these come
 * from @nomosly/limits, which owns the plans table.
 */
export interface PlanNumbers {
  rateLimitPerSecond: number;
  monthlyUnitQuota: number;
  /** What 1000 units cost past the free allowance. */
  centsPer1000Units: number;
}

export const PLAN_DEFAULTS: Readonly<Record<string, PlanNumbers>> = Object.freeze({
  free: { rateLimitPerSecond: 10, monthlyUnitQuota: 1_000, centsPer1000Units: 0 },
  pro: { rateLimitPerSecond: 50, monthlyUnitQuota: 1_000_000, centsPer1000Units: 100 },
});

export function planNumbersOf(plan: string): PlanNumbers {
  return PLAN_DEFAULTS[plan] ?? PLAN_DEFAULTS.free;
}
