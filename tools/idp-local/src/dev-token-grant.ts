import type Provider from 'oidc-provider';
import { type KoaContextWithOIDC, type ResourceServer, errors } from 'oidc-provider';
import { z } from 'zod';
import { DEV_TOKEN_GRANT_TYPE } from '@nomosly/contracts';
import type { LocalAccounts } from './accounts';

const devTokenRequest = z.object({
  email: z.email({ error: 'email is required and must be an email address' }),
  name: z.string({ error: 'name must be a string' }).trim().max(200, 'name is at most 200 characters').optional(),
  resource: z.string().optional(),
});

/**
 * The development-only shortcut behind `npm run cli -- dev-token`: the CLI client, authenticated with its
 * secret, names a user by email and gets that user's access token for the console API, with no browser.
 */
export function registerDevTokenGrant(
  provider: Provider,
  { resourceServer, accounts }: { resourceServer: ResourceServer; accounts: LocalAccounts },
): void {
  async function issueDevToken(ctx: KoaContextWithOIDC, next: () => Promise<void>): Promise<void> {
    const request = devTokenRequest.safeParse(ctx.oidc.params ?? {});
    if (!request.success) throw new errors.InvalidRequest(request.error.issues[0]?.message ?? 'invalid dev-token request');
    const { email, name, resource = resourceServer.audience } = request.data;
    if (resource !== resourceServer.audience) throw new errors.InvalidTarget(`the only resource here is ${resourceServer.audience}`);
    const client = ctx.oidc.client;
    if (!client) throw new errors.InvalidClient();

    const account = accounts.signIn(email, name);
    const grant = new provider.Grant({ accountId: account.sub, clientId: client.clientId });
    const grantId = await grant.save();
    const token = new provider.AccessToken({
      accountId: account.sub,
      client,
      grantId,
      gty: DEV_TOKEN_GRANT_TYPE,
      scope: '',
      resourceServer,
    });
    ctx.oidc.entity('AccessToken', token);
    const accessToken = await token.save();
    ctx.body = { access_token: accessToken, token_type: token.tokenType, expires_in: token.expiration };
    await next();
  }

  provider.registerGrantType(DEV_TOKEN_GRANT_TYPE, issueDevToken, ['email', 'name', 'resource']);
}
