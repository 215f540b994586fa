import { z } from 'zod';

/** What a plan allows: per-key requests per second, units per UTC month for the workspace, and the unit price. */
export const planSchema = z.object({
  rateLimitPerSecond: z.number().int().positive(),
  monthlyUnitQuota: z.number().int().nonnegative(),
  centsPerThousandUnits: z.number().int().nonnegative(),
});
export type Plan = z.infer<typeof planSchema>;

export const planTableSchema = z.record(z.string().min(1), planSchema);
export type PlanTable = z.infer<typeof planTableSchema>;

/** A workspace whose plan is not in the table is served as this one. */
export const FALLBACK_PLAN = 'free';

export const DEFAULT_PLANS: Readonly<PlanTable> = Object.freeze({
  free: { rateLimitPerSecond: 10, monthlyUnitQuota: 1_000, centsPerThousandUnits: 0 },
  pro: { rateLimitPerSecond: 50, monthlyUnitQuota: 1_000_000, centsPerThousandUnits: 100 },
});

/**
 * The `PLANS` variable for an app's config schema: JSON of `{ name: { rateLimitPerSecond, monthlyUnitQuota,
 * centsPerThousandUnits } }`, laid over the defaults plan by plan (so `free` always exists).
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
        context.addIssue({ code: 'custom', message: 'expected JSON: {"<plan>": {"rateLimitPerSecond", "monthlyUnitQuota", "centsPerThousandUnits"}}' });
        return z.NEVER;
      }
      const parsed = planTableSchema.safeParse(json);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        context.addIssue({ code: 'custom', message: `plan ${issue.path.join('.')}: ${issue.message}` });
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
