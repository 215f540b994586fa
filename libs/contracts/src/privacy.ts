import { RETENTION_DEFAULTS, type Retention, SERVER_LOG_RETENTION_DAYS } from './retention';

/** One row of the privacy page's retention table: `days` is null for data kept until the account is deleted. */
export interface RetentionRow {
  data: string;
  keptFor: string;
  days: number | null;
}

export interface Subprocessor {
  name: string;
  purpose: string;
  data: string;
}

export interface Cookie {
  name: string;
  purpose: string;
}

/** `GET /api/privacy`: what the privacy page shows. */
export interface PrivacyNotice {
  retention: RetentionRow[];
  subprocessors: Subprocessor[];
  cookies: Cookie[];
}


function inDays(days: number): string {
  return days >= RETENTION_DEFAULTS.rollupDays ? `${days} days (seven years or more)` : `${days} days`;
}

/**
 * The retention table as the privacy page shows it (P6), built from the same `Retention` the usage app's sweep
 * enforces: both read the RETENTION_* variables (retentionEnv), so a deployment's setting moves both.
 */
export function retentionRows(retention: Retention): RetentionRow[] {
  return [
    { data: 'Images sent to the API', keptFor: 'never stored: processed in memory and discarded when the call ends', days: 0 },
    {
      data: 'Request log (time, path, status, latency, client IP address, key prefix of each API call)',
      keptFor: inDays(retention.requestLogDays),
      days: retention.requestLogDays,
    },
    { data: 'Server logs', keptFor: inDays(SERVER_LOG_RETENTION_DAYS), days: SERVER_LOG_RETENTION_DAYS },
    { data: 'Per-call usage records', keptFor: inDays(retention.usageRecordDays), days: retention.usageRecordDays },
    { data: 'Daily usage rollups, invoices and billing ledger', keptFor: inDays(retention.rollupDays), days: retention.rollupDays },
    {
      data: "Workspace invitations (the invitee's email)",
      keptFor: `${inDays(retention.invitationDays)} after acceptance, or after expiry when never accepted`,
      days: retention.invitationDays,
    },
    {
      data: 'Account data (profile, workspaces, memberships, API key metadata)',
      keptFor: 'until the account is deleted (at the end of the cancellable countdown a deletion request starts)',
      days: null,
    },
  ];
}

/**
 * Who else processes personal data for the service. Rekognition is listed with its condition: the console cannot
 * know which engine the deployment's vision workers run.
 */
export const SUBPROCESSORS: readonly Subprocessor[] = Object.freeze([
  {
    name: 'Polar',
    purpose: 'billing: merchant of record for subscriptions, payments, invoices and sales tax',
    data: "the workspace's billing customer (email, name, payment details entered at checkout) and its monthly usage units",
  },
  {
    name: 'Auth0',
    purpose: 'sign-in to the console',
    data: 'email address, name, and the sign-in session',
  },
  {
    name: 'Amazon Web Services (Rekognition)',
    purpose: 'image analysis, only where a deployment runs the Rekognition engine (ENGINE=rekognition)',
    data: 'the images of API calls, sent for the duration of each call',
  },
  {
    name: 'The hosting provider of the deployment',
    purpose: 'runs the servers, the database and the queues',
    data: 'everything listed under retention, for as long as it is kept',
  },
]);

/**
 * Every cookie that exists anywhere in signing in and using the console (P12), one row per cookie name so that a
 * browser's cookie jar can be checked against the list. The console's own origin sets none: its API takes a bearer
 * token, kept in the tab's memory and session storage. The only cookies are the identity provider's, on its own
 * origin, all strictly necessary to sign in: Auth0's in production, and locally those of the `idp-local` stand-in
 * (oidc-provider's session and interaction cookies, each with the `.sig` cookie that signs it).
 */
export const COOKIES: readonly Cookie[] = Object.freeze([
  { name: 'auth0', purpose: "Auth0's sign-in session (production; set by Auth0 on its sign-in domain; strictly necessary)" },
  { name: 'auth0_compat', purpose: 'the same session for browsers that ignore SameSite=None (production; Auth0; strictly necessary)' },
  { name: 'did', purpose: "Auth0's device identifier for sign-in attack protection (production; Auth0; strictly necessary)" },
  { name: 'did_compat', purpose: 'the same identifier for browsers that ignore SameSite=None (production; Auth0; strictly necessary)' },
  ...signedCookies('_session', 'the local identity provider\'s sign-in session (idp-local, development only; strictly necessary)'),
  ...signedCookies('_interaction', 'the local identity provider\'s sign-in form in progress, for ten minutes (idp-local, development only; strictly necessary)'),
  ...signedCookies('_interaction_resume', 'returns from the local sign-in form to the console, for ten minutes (idp-local, development only; strictly necessary)'),
]);

/** A cookie oidc-provider signs, and the `.sig` cookie beside it that holds the signature. */
function signedCookies(name: string, purpose: string): Cookie[] {
  return [
    { name, purpose },
    { name: `${name}.sig`, purpose: `the signature of ${name}, so that it cannot be forged (strictly necessary)` },
  ];
}

export function privacyNotice(retention: Retention): PrivacyNotice {
  return {
    retention: retentionRows(retention),
    subprocessors: SUBPROCESSORS.map((row) => ({ ...row })),
    cookies: COOKIES.map((row) => ({ ...row })),
  };
}
