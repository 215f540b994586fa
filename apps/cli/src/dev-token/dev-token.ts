import { isLoopbackHost } from '@nomosly/config';
import { CLI_CLIENT_ID, DEV_TOKEN_GRANT_TYPE } from '@nomosly/contracts';

/** The configured issuer is not the local stand-in: the CLI refuses (exit code 2) before sending anything. */
export class NotLocalIssuerError extends Error {}

export interface DevTokenRequest {
  issuer: string;
  audience: string;
  clientSecret: string;
  email: string;
  name?: string;
}

const TIMEOUT_MS = 10_000;

/**
 * Only the local identity provider stand-in answers the dev-token grant, and only on this machine: an issuer
 * anywhere else is a real identity provider, where a token for any email must never be asked for.
 */
export function isLoopbackUrl(url: string): boolean {
  try {
    return isLoopbackHost(new URL(url).hostname);
  } catch {
    return false;
  }
}

/** Asks the stand-in, found by discovery from `issuer`, for the user's access token. */
export async function requestDevToken(request: DevTokenRequest): Promise<{ accessToken: string; expiresIn: number }> {
  const issuer = request.issuer.replace(/\/+$/, '');
  if (!isLoopbackUrl(issuer)) {
    throw new NotLocalIssuerError(
      `dev-token only talks to the local identity provider stand-in; OIDC_ISSUER ${request.issuer} is not on this machine`,
    );
  }
  const tokenEndpoint = await discoverTokenEndpoint(issuer);
  const body = new URLSearchParams({ grant_type: DEV_TOKEN_GRANT_TYPE, email: request.email, resource: request.audience });
  if (request.name) body.set('name', request.name);
  const response = await fetch(tokenEndpoint, {
    method: 'POST',
    headers: { authorization: basicAuth(CLI_CLIENT_ID, request.clientSecret), 'content-type': 'application/x-www-form-urlencoded' },
    body,
    signal: AbortSignal.timeout(TIMEOUT_MS),
  }).catch(() => {
    throw new Error(`no identity provider at ${issuer}: start it with npm run idp-local`);
  });
  const answer = (await response.json().catch(() => ({}))) as {
    access_token?: string;
    expires_in?: number;
    error?: string;
    error_description?: string;
  };
  if (!response.ok || !answer.access_token) {
    const reason = [answer.error, answer.error_description].filter(Boolean).join(': ') || `HTTP ${response.status}`;
    throw new Error(`the identity provider at ${issuer} refused the dev token (${reason})`);
  }
  return { accessToken: answer.access_token, expiresIn: answer.expires_in ?? 0 };
}

async function discoverTokenEndpoint(issuer: string): Promise<string> {
  const discoveryUrl = `${issuer}/.well-known/openid-configuration`;
  const response = await fetch(discoveryUrl, { signal: AbortSignal.timeout(TIMEOUT_MS) }).catch(() => undefined);
  const discovery = response?.ok ? ((await response.json().catch(() => undefined)) as { token_endpoint?: unknown } | undefined) : undefined;
  const tokenEndpoint = discovery?.token_endpoint;
  if (typeof tokenEndpoint !== 'string') {
    throw new Error(`no identity provider at ${issuer}: start it with npm run idp-local`);
  }
  // The discovery document names the token endpoint; it must not lead off this machine either.
  if (!isLoopbackUrl(tokenEndpoint)) {
    throw new NotLocalIssuerError(`the identity provider at ${issuer} has its token endpoint off this machine (${tokenEndpoint})`);
  }
  return tokenEndpoint;
}

/** RFC 6749 section 2.3.1: the id and secret are form-encoded before they are joined. */
function basicAuth(clientId: string, secret: string): string {
  const encode = (value: string) => encodeURIComponent(value).replace(/%20/g, '+');
  return `Basic ${Buffer.from(`${encode(clientId)}:${encode(secret)}`).toString('base64')}`;
}
