import { z } from 'zod';
import { WorkspaceRole } from '@nomosly/db';
import { sentAsIsoString } from '../openapi/sent-as-iso-string';

export const inviteSchema = z.strictObject({
  email: z.email({ message: 'expected an email address' }).max(320),
  role: z.enum(Object.values(WorkspaceRole) as [WorkspaceRole, ...WorkspaceRole[]], { message: 'expected owner or member' }),
});

export const roleSchema = z.enum(WorkspaceRole);

export const memberSchema = z.object({
  userId: z.string(),
  email: z.string(),
  name: z.string().nullable(),
  role: roleSchema,
  joinedAt: sentAsIsoString(),
});

/** A pending invitation as the workspace's members see it. */
export const invitationSchema = z.object({
  id: z.string(),
  email: z.string(),
  role: roleSchema,
  createdAt: sentAsIsoString(),
  expiresAt: sentAsIsoString(),
});

/** `GET /api/workspaces/:ws/members`: who belongs, and the invitations that can still be accepted. */
export const rosterSchema = z.object({ members: z.array(memberSchema), invitations: z.array(invitationSchema) });
export type RosterBody = z.infer<typeof rosterSchema>;

export const invitedSchema = z.object({ invitation: invitationSchema });
export type Invited = z.infer<typeof invitedSchema>;
