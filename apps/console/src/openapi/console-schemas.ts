import type { z } from 'zod';
import { errorBodySchema } from '@nomosly/http';
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
