import { z } from 'zod';

export const putLimitsSchema = z.strictObject({
  monthlySpendCapCents: z
    .number({ message: 'expected a whole number of cents, or null for no cap' })
    .int('expected a whole number of cents')
    .min(0, 'expected 0 or more')
    .max(2_147_483_647, 'expected at most 2147483647')
    .nullable(),
});
