import { z } from 'zod';

/** The longest period one usage query covers, both ends included. */
export const MAX_USAGE_DAYS = 366;
const DAY_MS = 86_400_000;

/** A UTC calendar day, YYYY-MM-DD, that exists (no 2026-02-30). */
const day = z
  .string({ message: 'expected a UTC day, YYYY-MM-DD' })
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'expected a UTC day, YYYY-MM-DD')
  .refine((value) => {
    const date = new Date(`${value}T00:00:00Z`);
    return !Number.isNaN(date.getTime()) && date.toISOString().startsWith(value);
  }, 'expected a day that exists')
  .meta({ format: 'date', description: 'A UTC day, YYYY-MM-DD; both ends are included.' });

function checkPeriod({ from, to }: { from: string; to: string }, context: z.RefinementCtx): void {
  if (from > to) context.addIssue({ code: 'custom', path: ['to'], message: 'expected a day on or after from' });
  else if (daysBetween(from, to) + 1 > MAX_USAGE_DAYS) {
    context.addIssue({ code: 'custom', path: ['to'], message: `expected at most ${MAX_USAGE_DAYS} days from from to to` });
  }
}

export const USAGE_GROUPINGS = ['day', 'operation', 'key'] as const;
export type UsageGrouping = (typeof USAGE_GROUPINGS)[number];

/** Both ends included; `groupBy` defaults to `day`. */
export const usageQuerySchema = z
  .object({
    from: day,
    to: day,
    groupBy: z.enum(USAGE_GROUPINGS, { message: `expected one of ${USAGE_GROUPINGS.join(', ')}` }).default('day'),
  })
  .superRefine(checkPeriod);
export type UsageQuery = z.infer<typeof usageQuerySchema>;

export const usagePeriodSchema = z.object({ from: day, to: day }).superRefine(checkPeriod);
export type UsagePeriod = z.infer<typeof usagePeriodSchema>;

function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY_MS);
}

/** One row of a usage report: the grouping's own field (`day`, `operation` or `keyId`) and its sums. */
export const usageRowSchema = z.object({
  day: z.string().optional().meta({ format: 'date', description: 'A UTC day, with groupBy=day.' }),
  operation: z.string().optional().meta({ description: 'With groupBy=operation.' }),
  keyId: z.string().optional().meta({ description: 'With groupBy=key.' }),
  calls: z.number().int(),
  units: z.number().int(),
});

/** `GET /api/workspaces/:ws/usage`: UTC days, both ends included. */
export const usageReportSchema = z.object({
  from: z.string().meta({ format: 'date' }),
  to: z.string().meta({ format: 'date' }),
  totals: z.object({ calls: z.number().int(), units: z.number().int() }),
  rows: z.array(usageRowSchema),
});
export type UsageReportBody = z.infer<typeof usageReportSchema>;
