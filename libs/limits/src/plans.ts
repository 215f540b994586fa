import { z } from 'zod';

const whole = () => z.number().int();

/**
 * What a plan allows. Per key: requests per second. Per workspace (whatever its number of keys): requests per
 * second, calls in progress at once (its share of the vision backlog), active keys, units per UTC month, and
 * the unit price. The per-workspace figures may be left out of `PLANS`: they then follow from the per-key rate
 * (see withWorkspaceDefaults), so that a table written before they existed keeps its meaning.
 */
const planFields = z
  .object({
    rateLimitPerSecond: whole().positive(),
    monthlyUnitQuota: whole().nonnegative(),
    centsPerThousandUnits: whole().nonnegative(),
    workspaceRequestsPerSecond: whole().positive().optional(),
    maxInFlight: whole().positive().optional(),
    maxActiveKeys: whole().positive().optional(),
  })
  .strict();
/** A plan as `PLANS` may write it. */
export type PlanInput = z.infer<typeof planFields>;
/** A plan with every figure. */
export type Plan = Required<PlanInput>;

export const planSchema = planFields.transform(withWorkspaceDefaults);

/**
 * The per-workspace figures a plan leaves out: twice the per-key rate for the workspace (two keys at full speed),
 * as many calls in progress as one key may start in a second (at least 10), and 25 active keys.
 */
export function withWorkspaceDefaults(plan: PlanInput): Plan {
  return {
    ...plan,
    workspaceRequestsPerSecond: plan.workspaceRequestsPerSecond ?? 2 * plan.rateLimitPerSecond,
    maxInFlight: plan.maxInFlight ?? Math.max(10, plan.rateLimitPerSecond),
    maxActiveKeys: plan.maxActiveKeys ?? 25,
  };
}

export const planTableSchema = z.record(z.string().min(1), planSchema);
export type PlanTable = z.infer<typeof planTableSchema>;

/** A workspace whose plan is not in the table is served as this one. */
export const FALLBACK_PLAN = 'free';

export const DEFAULT_PLANS: Readonly<PlanTable> = Object.freeze({
  free: {
    rateLimitPerSecond: 10,
    monthlyUnitQuota: 1_000,
    centsPerThousandUnits: 0,
    workspaceRequestsPerSecond: 20,
    maxInFlight: 10,
    maxActiveKeys: 10,
  },
  pro: {
    rateLimitPerSecond: 50,
    monthlyUnitQuota: 1_000_000,
    centsPerThousandUnits: 100,
    workspaceRequestsPerSecond: 200,
    maxInFlight: 50,
    maxActiveKeys: 100,
  },
});

const PLANS_SHAPE =
  '{"<plan>": {"rateLimitPerSecond", "monthlyUnitQuota", "centsPerThousandUnits", and optionally "workspaceRequestsPerSecond", "maxInFlight", "maxActiveKeys"}}';

/**
 * The `PLANS` variable for an app's config schema: JSON of `{ name: { rateLimitPerSecond, monthlyUnitQuota,
 * centsPerThousandUnits, workspaceRequestsPerSecond?, maxInFlight?, maxActiveKeys? } }`, laid over the defaults
 * plan by plan (so `free` always exists).
 */
export function plansEnv() {
  return z
    .string()
    .optional()
    .transform((text, context): PlanTable => {
      if (text === undefined || text.trim() === '') return { ...DEFAULT_PLANS };
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        context.addIssue({ code: 'custom', message: `expected JSON: ${PLANS_SHAPE}` });
        return z.NEVER;
      }
      const parsed = planTableSchema.safeParse(json);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        const where = [...issue.path, ...('keys' in issue ? issue.keys : [])].join('.');
        context.addIssue({ code: 'custom', message: `plan ${where}: ${issue.message} (expected ${PLANS_SHAPE})` });
        return z.NEVER;
      }
      return { ...DEFAULT_PLANS, ...parsed.data };
    });
}

/** Looks plans up by the name a workspace carries; an unknown name is served as `free`, and said once. */
export class Plans {
  private readonly reported = new Set<string>();

  constructor(
    private readonly table: Readonly<PlanTable>,
    private readonly warn: (message: string) => void,
  ) {
    if (!table[FALLBACK_PLAN]) throw new Error(`the plan table has no "${FALLBACK_PLAN}" plan`);
  }

  of(name: string): Plan {
    const plan = Object.hasOwn(this.table, name) ? this.table[name] : undefined;
    if (plan) return plan;
    if (!this.reported.has(name)) {
      this.reported.add(name);
      this.warn(`workspace plan "${name}" is not configured; serving it as "${FALLBACK_PLAN}"`);
    }
    return this.table[FALLBACK_PLAN];
  }
}

/** What `units` units cost in a month on a plan, rounded up to a whole cent. */
export function spendCents(units: number, plan: Plan): number {
  return Math.ceil((units * plan.centsPerThousandUnits) / 1000);
}
