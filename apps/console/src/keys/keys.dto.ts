import { z } from 'zod';
import { ALL_SCOPES } from '@nomosly/contracts';
import { MAX_DAILY_LIMIT, MAX_ROTATION_OVERLAP_SECONDS } from '@nomosly/accounts';
import { sentAsIsoString } from '../openapi/sent-as-iso-string';

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

/** A key as its workspace's members see it: metadata only, never the secret or its hash. */
export const keySchema = z.object({
  id: z.string(),
  name: z.string(),
  prefix: z.string().meta({ description: 'The first 12 characters of the secret (nk_live_ + 4), shown in the console and the logs.' }),
  scopes: z.array(z.string().meta({ examples: [...ALL_SCOPES] })),
  createdAt: sentAsIsoString(),
  expiresAt: sentAsIsoString().nullable(),
  lastUsedAt: sentAsIsoString().nullable(),
  revokedAt: sentAsIsoString().nullable(),
  dailyLimit: z.number().int().nullable().meta({ description: "Requests per UTC day for this key, below the plan's own limits; null for none." }),
});

export const keyListSchema = z.object({ keys: z.array(keySchema) });
export type KeyList = z.infer<typeof keyListSchema>;

/** A new key with its secret: the only answer that ever holds the secret. */
export const issuedKeySchema = z.object({
  key: keySchema,
  secret: z.string().meta({ description: 'The whole key, nk_live_ followed by 32 base62 characters; never returned again.' }),
});
export type IssuedKeyBody = z.infer<typeof issuedKeySchema>;

export const revokedKeySchema = z.object({ key: keySchema });
export type RevokedKey = z.infer<typeof revokedKeySchema>;
