import { z } from 'zod';
import { WorkspaceRole } from '@nomosly/db';

export const inviteSchema = z.strictObject({
  email: z.email({ message: 'expected an email address' }).max(320),
  role: z.enum(Object.values(WorkspaceRole) as [WorkspaceRole, ...WorkspaceRole[]], { message: 'expected owner or member' }),
});
