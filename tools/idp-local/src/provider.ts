import { randomBytes } from 'node:crypto';
import type { JWK } from 'jose';
import Provider, { type ResourceServer, errors, interactionPolicy } from 'oidc-provider';
import { CLI_CLIENT_ID, CONSOLE_CLIENT_ID, DEV_TOKEN_GRANT_TYPE } from '@nomosly/contracts';
import type { LocalAccount, LocalAccounts } from './accounts';
import { registerDevTokenGrant } from './dev-token-grant';

export const ACCESS_TOKEN_TTL_SECONDS = 60 * 60;

export interface IdentityProviderOptions {
  issuer: string;
  /** The console API's resource indicator: the `aud` of every access token. */
  audience: string;
  signingKey: JWK;
  consoleRedirectUris: string[];
  cliClientSecret: string;
  /** Empty: a random key per start. */
  cookieKeys: string[];
  accounts: LocalAccounts;
}

/**
 * oidc-provider configured for development: the console signs in through the authorization code flow with
 * PKCE, the admin CLI gets a user's token through the dev-token grant, and both get JWT access tokens for
 * the console API carrying the user's email, marked verified (`email_verified: true`).
 *
 * Storage is oidc-provider's default in-memory adapter (it warns about that at start): sessions, codes and
 * grants end with the process, which is what a development stand-in wants. Issued JWTs outlive it, since the
 * signing key is kept in a file.
 */
export function createIdentityProvider(options: IdentityProviderOptions): Provider {
  const { audience, accounts } = options;
  const consoleApi: ResourceServer = {
    scope: '',
    audience,
    accessTokenFormat: 'jwt',
    accessTokenTTL: ACCESS_TOKEN_TTL_SECONDS,
    jwt: { sign: { alg: 'RS256' } },
  };
  const consoleOrigins = new Set(options.consoleRedirectUris.map((uri) => new URL(uri).origin));
  const cookieKeys = options.cookieKeys.length ? options.cookieKeys : [randomBytes(32).toString('base64url')];

  const provider = new Provider(options.issuer, {
    clients: [
      {
        client_id: CONSOLE_CLIENT_ID,
        client_name: 'nomosly console',
        token_endpoint_auth_method: 'none',
        grant_types: ['authorization_code'],
        response_types: ['code'],
        redirect_uris: options.consoleRedirectUris,
        scope: 'openid email profile',
      },
      {
        client_id: CLI_CLIENT_ID,
        client_name: 'nomosly admin CLI',
        client_secret: options.cliClientSecret,
        token_endpoint_auth_method: 'client_secret_basic',
        grant_types: [DEV_TOKEN_GRANT_TYPE],
        response_types: [],
        redirect_uris: [],
      },
    ],
    jwks: { keys: [options.signingKey] },
    // Lax rather than the default None: over plain http a browser drops SameSite=None cookies that are not Secure.
    cookies: { keys: cookieKeys, long: { sameSite: 'lax', signed: true }, short: { sameSite: 'lax', signed: true } },
    scopes: ['openid', 'email', 'profile'],
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
    responseTypes: ['code'],
    pkce: { required: () => true },
    features: {
      devInteractions: { enabled: false },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => audience,
        useGrantedResource: () => true,
        getResourceServerInfo: (_ctx, resourceIndicator) => {
          if (resourceIndicator !== audience) throw new errors.InvalidTarget(`the only resource here is ${audience}`);
          return consoleApi;
        },
      },
    },
    findAccount: (_ctx, sub) => {
      const account = accounts.find(sub);
      return account && { accountId: sub, claims: () => ({ sub, ...profileClaims(account) }) };
    },
    extraTokenClaims: (_ctx, token) => {
      if (token.kind !== 'AccessToken') return undefined;
      const account = accounts.find(token.accountId);
      if (!account) return undefined;
      // The dev-token grant's tokens say so (`gty`, as Auth0's do): a production console refuses them.
      return token.gty === DEV_TOKEN_GRANT_TYPE ? { ...profileClaims(account), gty: DEV_TOKEN_GRANT_TYPE } : profileClaims(account);
    },
    interactions: { policy: askWhoSignsInEveryTime(), url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    clientBasedCORS: (_ctx, origin, client) => client.clientId === CONSOLE_CLIENT_ID && consoleOrigins.has(origin),
    ttl: {
      AccessToken: ACCESS_TOKEN_TTL_SECONDS,
      IdToken: ACCESS_TOKEN_TTL_SECONDS,
      AuthorizationCode: 60,
      Interaction: 10 * 60,
      Session: 24 * 60 * 60,
      Grant: 24 * 60 * 60,
    },
  });
  registerDevTokenGrant(provider, { resourceServer: consoleApi, accounts });
  return provider;
}

/**
 * oidc-provider's policy, with the sign-in form shown at every sign-in even while a session exists: the console's
 * Sign out forgets its tokens only, and a developer who signs out and in again means to pick who (the form opens
 * with the default email filled in, so it is still two clicks).
 */
function askWhoSignsInEveryTime(): interactionPolicy.DefaultPolicy {
  const policy = interactionPolicy.base();
  const { Check } = interactionPolicy;
  policy
    .get('login')
    ?.checks.add(
      new Check('every_sign_in', 'the local stand-in asks who signs in at each sign-in', (ctx) =>
        ctx.oidc.result?.login ? Check.NO_NEED_TO_PROMPT : Check.REQUEST_PROMPT,
      ),
    );
  return policy;
}

/**
 * What tokens say about the account. The stand-in has no mailbox to check, so every email is marked verified:
 * whoever signs in here is trusted with the address they typed, as the console must trust a real provider's word.
 */
function profileClaims(account: LocalAccount): { email: string; email_verified: true; name?: string } {
  const claims = { email: account.email, email_verified: true as const };
  return account.name ? { ...claims, name: account.name } : claims;
}
