import { z } from 'zod';
import { ErrorCode } from '@nomosly/contracts';
import { billingOverviewSchema, invoiceSchema, redirectUrlSchema, subscriptionSchema } from '../billing/billing.dto';
import { acceptedInvitationSchema, receivedInvitationSchema, receivedInvitationsSchema } from '../invitations/invitations.dto';
import { issuedKeySchema, keyListSchema, keySchema, revokedKeySchema } from '../keys/keys.dto';
import { workspaceLimitsSchema } from '../limits/limits.dto';
import { deletionCountdownSchema } from '../me/deletion.dto';
import { profileSchema, userSchema, workspaceMembershipSchema } from '../me/profile.dto';
import { invitationSchema, invitedSchema, memberSchema, rosterSchema } from '../members/members.dto';
import { privacyNoticeSchema } from '../privacy/privacy.dto';
import { requestLogItemSchema, requestsPageSchema } from '../requests/requests.dto';
import { usageReportSchema, usageRowSchema } from '../usage/usage.dto';
import { clientConfigSchema } from '../web/client-config.dto';

/** API.md's error body, on every error answer. */
export const errorBodySchema = z.object({
  error: z.object({
    code: z.enum(ErrorCode).meta({ description: 'For programs: one of the codes API.md lists.' }),
    message: z.string().meta({ description: 'For people: what went wrong and what to do about it.' }),
    requestId: z.string().meta({ description: 'Our id for this request (also in x-request-id); quote it to support.' }),
  }),
});

/**
 * The Console API's answers by the name the document (and the generated client's `components['schemas']`) gives
 * them. The nested ones are named too, so each appears once and is referred to wherever it is used.
 */
export const RESPONSE_SCHEMAS = {
  Profile: profileSchema,
  User: userSchema,
  WorkspaceMembership: workspaceMembershipSchema,
  ReceivedInvitation: receivedInvitationSchema,
  ReceivedInvitations: receivedInvitationsSchema,
  AcceptedInvitation: acceptedInvitationSchema,
  DeletionCountdown: deletionCountdownSchema,
  Key: keySchema,
  KeyList: keyListSchema,
  IssuedKey: issuedKeySchema,
  RevokedKey: revokedKeySchema,
  WorkspaceLimits: workspaceLimitsSchema,
  Member: memberSchema,
  Invitation: invitationSchema,
  Roster: rosterSchema,
  Invited: invitedSchema,
  UsageRow: usageRowSchema,
  UsageReport: usageReportSchema,
  RequestLogItem: requestLogItemSchema,
  RequestsPage: requestsPageSchema,
  Subscription: subscriptionSchema,
  Invoice: invoiceSchema,
  BillingOverview: billingOverviewSchema,
  RedirectUrl: redirectUrlSchema,
  PrivacyNotice: privacyNoticeSchema,
  ClientConfig: clientConfigSchema,
  Error: errorBodySchema,
} as const satisfies Record<string, z.ZodType>;

export type ResponseSchemaName = Exclude<keyof typeof RESPONSE_SCHEMAS, 'Error'>;
