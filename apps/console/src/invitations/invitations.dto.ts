import { z } from 'zod';
import { workspaceMembershipSchema } from '../me/profile.dto';
import { invitationSchema } from '../members/members.dto';

/** A pending invitation as the person it is addressed to sees it. */
export const receivedInvitationSchema = invitationSchema.extend({ workspace: z.object({ id: z.string(), name: z.string() }) });

export const receivedInvitationsSchema = z.object({ invitations: z.array(receivedInvitationSchema) });
export type ReceivedInvitations = z.infer<typeof receivedInvitationsSchema>;

/** `POST /api/me/invitations/:id/accept`: the workspace the caller has joined. */
export const acceptedInvitationSchema = z.object({ workspace: workspaceMembershipSchema });
export type AcceptedInvitation = z.infer<typeof acceptedInvitationSchema>;
