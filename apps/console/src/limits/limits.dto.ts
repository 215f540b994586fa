import { z } from 'zod';

export const putLimitsSchema = z.strictObject({
  monthlySpendCapCents: z
    .number({ message: 'expected a whole number of cents, or null for no cap' })
    .int('expected a whole number of cents')
    .min(0, 'expected 0 or more')
    .max(2_147_483_647, 'expected at most 2147483647')
    .nullable(),
});

/** `GET` and `PUT /api/workspaces/:ws/limits`: the plan's numbers, this month's use, and the owner's spend cap. */
export const workspaceLimitsSchema = z.object({
  plan: z.string(),
  rateLimitPerSecond: z.number().meta({ description: 'Per key: requests per second.' }),
  workspaceRequestsPerSecond: z.number().meta({ description: 'Per workspace, over all its keys: requests per second.' }),
  maxInFlight: z.number().int().meta({ description: 'Per workspace: calls in progress at once, at most.' }),
  maxActiveKeys: z.number().int().meta({ description: 'Per workspace: keys that are neither revoked nor expired, at most.' }),
  monthlyUnitQuota: z.number().int(),
  unitsThisMonth: z.number().int(),
  spendThisMonthCents: z.number().int(),
  monthlySpendCapCents: z.number().int().nullable().meta({ description: 'null: no cap.' }),
});
export type WorkspaceLimitsBody = z.infer<typeof workspaceLimitsSchema>;
