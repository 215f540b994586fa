import { randomUUID } from 'node:crypto';
import {
  type IdpStandIn,
  POLAR_NOT_CALLED_ENV,
  type RunningApp,
  TEST_DATABASE_URL,
  TEST_REDIS_URL,
  createKeyInWorkspace,
  devToken,
  startApp,
  startIdpStandIn,
} from '@nomosly/testing';
import { call } from './helpers';

/** The whole sign-in path offline: the local identity provider (oidc-provider) issues, the console verifies. */
describe('console sign-in through the local identity provider', () => {
  let idp: IdpStandIn;
  let consoleApp: RunningApp;

  beforeAll(async () => {
    idp = await startIdpStandIn();
    consoleApp = await startApp('console', {
      DATABASE_URL: TEST_DATABASE_URL,
      EVENTS_REDIS_URL: TEST_REDIS_URL,
      OIDC_ISSUER: idp.url,
      OIDC_AUDIENCE: idp.audience,
      ...POLAR_NOT_CALLED_ENV,
    });
  }, 120_000);
  afterAll(async () => {
    await consoleApp?.stop();
    await idp?.stop();
  });

  it('a dev-token from the stand-in signs a new person in: user and personal workspace provisioned, P12 opt-in off', async () => {
    const email = `Sign-In-${randomUUID().slice(0, 8)}@Console.Test`;
    const token = devToken(idp.url, email, 'Ada');
    const first = await call(consoleApp.url, token, 'GET', '/api/me');
    expect(first.status).toBe(200);
    expect(first.body.user).toMatchObject({ email: email.toLowerCase(), name: 'Ada', marketingOptIn: false });
    expect(first.body.workspaces).toEqual([expect.objectContaining({ role: 'owner' })]);
    // The same person signing in again (a new token) is the same user, with no second workspace.
    const again = await call(consoleApp.url, devToken(idp.url, email), 'GET', '/api/me');
    expect(again.body).toEqual(first.body);
  });

  it("the stand-in's emails are verified: a user the CLI made for the email is claimed, and an invitation to it can be accepted", async () => {
    const email = `claimed-${randomUUID().slice(0, 8)}@console.test`;
    const made = createKeyInWorkspace(TEST_DATABASE_URL, email).workspaceId;
    const token = devToken(idp.url, email);
    const me = await call(consoleApp.url, token, 'GET', '/api/me');
    expect(me.body.workspaces).toEqual([expect.objectContaining({ id: made, role: 'owner' })]);

    const owner = devToken(idp.url, `inviter-${randomUUID().slice(0, 8)}@console.test`);
    const ownerWorkspace = ((await call(consoleApp.url, owner, 'GET', '/api/me')).body.workspaces as Array<{ id: string }>)[0].id;
    const invited = await call(consoleApp.url, owner, 'POST', `/api/workspaces/${ownerWorkspace}/members`, { email, role: 'member' });
    const id = (invited.body.invitation as { id: string }).id;
    expect(((await call(consoleApp.url, token, 'GET', '/api/me/invitations')).body.invitations as Array<{ id: string }>).map((i) => i.id)).toEqual([id]);
    expect((await call(consoleApp.url, token, 'POST', `/api/me/invitations/${id}/accept`)).status).toBe(200);
  });

  it('a token from another identity provider (its own key and issuer) is refused', async () => {
    const other = await startIdpStandIn();
    try {
      const foreign = devToken(other.url, 'mallory@console.test');
      expect((await call(consoleApp.url, foreign, 'GET', '/api/me')).status).toBe(401);
    } finally {
      await other.stop();
    }
  });
});
