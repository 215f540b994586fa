import { z } from 'zod';
import { ALL_SCOPES } from '@nomosly/contracts';
import { MAX_DAILY_LIMIT, MAX_ROTATION_OVERLAP_SECONDS } from '@nomosly/accounts';

export const createKeySchema = z.strictObject({
  name: z.string({ message: 'expected a string' }).trim().min(1, 'expected 1 to 100 characters').max(100, 'expected 1 to 100 characters'),
  scopes: z
    .array(z.enum(ALL_SCOPES as [string, ...string[]], { message: `expected one of ${ALL_SCOPES.join(', ')}` }), {
      message: 'expected a list of scopes',
    })
    .min(1, 'expected at least one scope')
    .optional(),
  expiresAt: z.iso
    .datetime({ offset: true, message: 'expected an ISO 8601 date-time, e.g. 2030-01-31T00:00:00Z' })
    .transform((value) => new Date(value))
    .nullable()
    .optional(),
  dailyLimit: z
    .number({ message: 'expected a number' })
    .int('expected a whole number')
    .positive('expected at least 1')
    .max(MAX_DAILY_LIMIT, `expected at most ${MAX_DAILY_LIMIT}`)
    .nullable()
    .optional(),
});

export const rotateKeySchema = z.strictObject({
  overlapSeconds: z
    .number({ message: 'expected a number of seconds' })
    .int('expected a whole number of seconds')
    .min(0, 'expected 0 or more')
    .max(MAX_ROTATION_OVERLAP_SECONDS, `expected at most ${MAX_ROTATION_OVERLAP_SECONDS} (30 days)`)
    .optional(),
});
