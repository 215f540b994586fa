import { z } from 'zod';
import { roleSchema } from '../members/members.dto';
import { sentAsIsoString } from '../openapi/sent-as-iso-string';

export const userSchema = z.object({
  id: z.string(),
  email: z.string().meta({ description: "The identity provider's verified email, refreshed at each sign-in." }),
  name: z.string().nullable(),
  marketingOptIn: z.boolean(),
  deletionScheduledFor: sentAsIsoString().nullable().meta({ description: 'When the account will be purged; null when no deletion is pending.' }),
  restricted: z.boolean().meta({ description: 'Processing is restricted: every key of the workspaces the user owns is refused.' }),
});

/** A workspace the user belongs to, and their role in it. */
export const workspaceMembershipSchema = z.object({ id: z.string(), name: z.string(), role: roleSchema });

/** `GET /api/me`, and the answer of every change to the signed-in user. */
export const profileSchema = z.object({ user: userSchema, workspaces: z.array(workspaceMembershipSchema) });
export type ProfileBody = z.infer<typeof profileSchema>;
