import { z } from 'zod';

/** `GET /api/privacy`: what the privacy page shows. */
export const privacyNoticeSchema = z.object({
  retention: z.array(
    z.object({
      data: z.string(),
      keptFor: z.string(),
      days: z.number().int().nullable().meta({ description: 'null: kept until the account is deleted.' }),
    }),
  ),
  subprocessors: z.array(z.object({ name: z.string(), purpose: z.string(), data: z.string() })),
  cookies: z.array(z.object({ name: z.string(), purpose: z.string() })),
});
export type PrivacyNoticeBody = z.infer<typeof privacyNoticeSchema>;
