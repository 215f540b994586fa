import type { z } from 'zod';
import { checkoutBodySchema } from '../billing/billing.dto';
import { createKeySchema, rotateKeySchema } from '../keys/keys.dto';
import { putLimitsSchema } from '../limits/limits.dto';
import { restrictionSchema } from '../me/restriction.dto';
import { updateMeSchema } from '../me/update-me.dto';
import { inviteSchema } from '../members/members.dto';
import { requestsQuerySchema } from '../requests/requests.dto';
import { usagePeriodSchema, usageQuerySchema } from '../usage/usage.dto';
import type { ResponseSchemaName } from './console-schemas';

export type HttpMethod = 'get' | 'post' | 'put' | 'patch' | 'delete';
/** The error answers a console route can give besides 503 (API.md's error body, each with its code). */
export type ErrorStatus = 400 | 401 | 403 | 404 | 409;

export type ConsoleTag = 'Me' | 'Invitations' | 'Data rights' | 'Keys' | 'Limits' | 'Members' | 'Usage' | 'Requests' | 'Billing' | 'Public';

export interface ConsoleOperation {
  method: HttpMethod;
  /** The path as OpenAPI writes it: `{ws}` where the route has `:ws`. */
  path: `/api/${string}`;
  operationId: string;
  tag: ConsoleTag;
  summary: string;
  /** Answered without a bearer token. */
  public?: true;
  query?: z.ZodObject;
  body?: z.ZodType;
  success: {
    status: 200 | 201 | 202 | 204;
    description: string;
    /** A JSON answer, by its component name; or a file (CSV, zip); or nothing (204). */
    json?: ResponseSchemaName;
    file?: 'text/csv' | 'application/zip';
  };
  errors: readonly ErrorStatus[];
}

const WS = '/api/workspaces/{ws}';

/** Every route of the Console API (API.md "Console API", "Billing", "Data rights"), as the controllers register them. */
export const CONSOLE_OPERATIONS: readonly ConsoleOperation[] = [
  {
    method: 'get', path: '/api/me', operationId: 'getMe', tag: 'Me', summary: 'The signed-in user and the workspaces they belong to',
    success: { status: 200, description: 'The profile.', json: 'Profile' }, errors: [401],
  },
  {
    method: 'patch', path: '/api/me', operationId: 'updateMe', tag: 'Me',
    summary: "Correct the name, or choose marketing email; the email is the identity provider's and is changed there",
    body: updateMeSchema, success: { status: 200, description: 'The profile as changed.', json: 'Profile' }, errors: [400, 401],
  },
  {
    method: 'get', path: '/api/me/invitations', operationId: 'listReceivedInvitations', tag: 'Invitations',
    summary: "The pending invitations addressed to the caller's verified email",
    success: { status: 200, description: 'The invitations.', json: 'ReceivedInvitations' }, errors: [401],
  },
  {
    method: 'post', path: '/api/me/invitations/{invitationId}/accept', operationId: 'acceptInvitation', tag: 'Invitations',
    summary: "Join the invitation's workspace; only with a verified email equal to the invitation's",
    success: { status: 200, description: 'The workspace joined.', json: 'AcceptedInvitation' }, errors: [401, 404, 409],
  },
  {
    method: 'get', path: '/api/me/export', operationId: 'exportMyData', tag: 'Data rights',
    summary: 'Every row that belongs to the caller, as a zip of JSON files and a README (streamed)',
    success: { status: 200, description: 'The export, as an attachment.', file: 'application/zip' }, errors: [401],
  },
  {
    method: 'post', path: '/api/me/deletion', operationId: 'scheduleDeletion', tag: 'Data rights',
    summary: 'Start the account deletion countdown; the account works until it ends',
    success: { status: 202, description: 'When the account will be purged.', json: 'DeletionCountdown' }, errors: [401, 409],
  },
  {
    method: 'delete', path: '/api/me/deletion', operationId: 'cancelDeletion', tag: 'Data rights',
    summary: 'Cancel the deletion countdown; nothing is lost', success: { status: 204, description: 'Cancelled.' }, errors: [401],
  },
  {
    method: 'put', path: '/api/me/restriction', operationId: 'setRestriction', tag: 'Data rights',
    summary: "Restrict processing of the caller's data (every key of the workspaces they own is refused), or lift it",
    body: restrictionSchema, success: { status: 200, description: 'The profile as changed.', json: 'Profile' }, errors: [400, 401],
  },
  {
    method: 'get', path: `${WS}/keys`, operationId: 'listKeys', tag: 'Keys', summary: "The workspace's keys (metadata only)",
    success: { status: 200, description: 'The keys.', json: 'KeyList' }, errors: [401, 404],
  },
  {
    method: 'post', path: `${WS}/keys`, operationId: 'createKey', tag: 'Keys', summary: 'Create a key; its secret is in this answer only',
    body: createKeySchema, success: { status: 201, description: 'The key and its secret.', json: 'IssuedKey' }, errors: [400, 401, 404, 409],
  },
  {
    method: 'post', path: `${WS}/keys/{id}/revoke`, operationId: 'revokeKey', tag: 'Keys',
    summary: "Revoke a key (owners, or the key's creator); refused everywhere within 1 s",
    success: { status: 200, description: 'The key as revoked.', json: 'RevokedKey' }, errors: [401, 403, 404],
  },
  {
    method: 'post', path: `${WS}/keys/{id}/rotate`, operationId: 'rotateKey', tag: 'Keys',
    summary: "Replace a key with a new one; the old one keeps working for overlapSeconds (default 86400)",
    body: rotateKeySchema, success: { status: 201, description: 'The new key and its secret.', json: 'IssuedKey' }, errors: [400, 401, 403, 404, 409],
  },
  {
    method: 'delete', path: `${WS}/keys/{id}`, operationId: 'deleteKey', tag: 'Keys', summary: "Delete a key (owners, or the key's creator)",
    success: { status: 204, description: 'Deleted.' }, errors: [401, 403, 404],
  },
  {
    method: 'get', path: `${WS}/limits`, operationId: 'getLimits', tag: 'Limits', summary: "The plan's limits, this month's use and the spend cap",
    success: { status: 200, description: 'The limits.', json: 'WorkspaceLimits' }, errors: [401, 404],
  },
  {
    method: 'put', path: `${WS}/limits`, operationId: 'setLimits', tag: 'Limits', summary: 'Set the monthly spend cap (owners only; null for no cap)',
    body: putLimitsSchema, success: { status: 200, description: 'The limits as changed.', json: 'WorkspaceLimits' }, errors: [400, 401, 403, 404],
  },
  {
    method: 'get', path: `${WS}/members`, operationId: 'listMembers', tag: 'Members', summary: 'Who belongs to the workspace, and who is invited',
    success: { status: 200, description: 'The members and pending invitations.', json: 'Roster' }, errors: [401, 404],
  },
  {
    method: 'post', path: `${WS}/members`, operationId: 'inviteMember', tag: 'Members',
    summary: 'Invite someone by email (owners only): a pending invitation for 7 days, never a membership',
    body: inviteSchema, success: { status: 201, description: 'The invitation.', json: 'Invited' }, errors: [400, 401, 403, 404, 409],
  },
  {
    method: 'delete', path: `${WS}/invitations/{invitationId}`, operationId: 'deleteInvitation', tag: 'Members',
    summary: 'Withdraw an invitation (owners only)', success: { status: 204, description: 'Deleted.' }, errors: [401, 403, 404],
  },
  {
    method: 'delete', path: `${WS}/members/{userId}`, operationId: 'removeMember', tag: 'Members',
    summary: 'Remove a member (owners, or the member themself); the keys they created are revoked with them',
    success: { status: 204, description: 'Removed.' }, errors: [401, 403, 404, 409],
  },
  {
    method: 'get', path: `${WS}/usage`, operationId: 'getUsage', tag: 'Usage', summary: 'Calls and units over whole UTC days, both ends included',
    query: usageQuerySchema, success: { status: 200, description: 'The usage report.', json: 'UsageReport' }, errors: [400, 401, 404],
  },
  {
    method: 'get', path: `${WS}/usage.csv`, operationId: 'getUsageCsv', tag: 'Usage', summary: 'The same period as CSV: one row per day, operation and key',
    query: usagePeriodSchema, success: { status: 200, description: 'The CSV, as an attachment.', file: 'text/csv' }, errors: [400, 401, 404],
  },
  {
    method: 'get', path: `${WS}/requests`, operationId: 'listRequests', tag: 'Requests', summary: "The workspace's request log, newest first",
    query: requestsQuerySchema, success: { status: 200, description: 'A page of the log.', json: 'RequestsPage' }, errors: [400, 401, 404],
  },
  {
    method: 'get', path: `${WS}/billing`, operationId: 'getBilling', tag: 'Billing', summary: 'The plan, the subscription, this period and the invoices',
    success: { status: 200, description: 'The billing overview.', json: 'BillingOverview' }, errors: [401, 404],
  },
  {
    method: 'post', path: `${WS}/billing/checkout`, operationId: 'startCheckout', tag: 'Billing', summary: "Polar's checkout for a plan (owners only)",
    body: checkoutBodySchema, success: { status: 201, description: 'Where to send the owner.', json: 'RedirectUrl' }, errors: [400, 401, 403, 404],
  },
  {
    method: 'post', path: `${WS}/billing/portal`, operationId: 'openBillingPortal', tag: 'Billing', summary: "Polar's customer portal (owners only)",
    success: { status: 201, description: 'Where to send the owner.', json: 'RedirectUrl' }, errors: [401, 403, 404],
  },
  {
    method: 'get', path: '/api/privacy', operationId: 'getPrivacyNotice', tag: 'Public', public: true,
    summary: 'What is kept and for how long, who processes it, and which cookies are set',
    success: { status: 200, description: 'The privacy notice.', json: 'PrivacyNotice' }, errors: [],
  },
  {
    method: 'get', path: '/api/client-config', operationId: 'getClientConfig', tag: 'Public', public: true,
    summary: 'What the web console needs before anyone signs in',
    success: { status: 200, description: 'The client configuration.', json: 'ClientConfig' }, errors: [],
  },
];
