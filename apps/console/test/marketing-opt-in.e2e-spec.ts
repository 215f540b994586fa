import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { TEST_DATABASE_URL, createKeyInWorkspace, signInClaims } from '@nomosly/testing';
import { type ConsoleUnderTest, type TestUser, call, signIn, startConsoleUnderTest } from './helpers';

/**
 * P12: marketing email only with explicit opt-in. Every way an account comes to exist leaves `marketingOptIn`
 * false, in GET /api/me and in the users table: a first sign-in, a first sign-in to accept an invitation, and the
 * admin CLI's `keys create --email` for someone who has never signed in (then claimed by their first sign-in).
 */
describe('P12: marketing email is opt-in for every new account', () => {
  let system: ConsoleUnderTest;
  let db: Client;

  beforeAll(async () => {
    system = await startConsoleUnderTest();
    db = new Client({ connectionString: TEST_DATABASE_URL });
    await db.connect();
  });
  afterAll(async () => {
    await db?.end();
    await system?.stop();
  });

  const newEmail = (label: string) => `${label}-${randomUUID().slice(0, 8)}@console.test`;

  async function storedOptIn(email: string): Promise<boolean[]> {
    const { rows } = await db.query<{ marketing_opt_in: boolean }>('select marketing_opt_in from users where email = $1', [email]);
    return rows.map((row) => row.marketing_opt_in);
  }

  async function expectOptedOut(user: TestUser): Promise<void> {
    const me = await user.call('GET', '/api/me');
    expect(me.status).toBe(200);
    expect(me.body.user).toMatchObject({ id: user.userId, marketingOptIn: false });
    expect(await storedOptIn(user.email)).toEqual([false]);
  }

  it('P12: a first sign-in with an identity provider token makes an account with marketingOptIn false', async () => {
    const user = await signIn(system.console.url, system.issuer, 'p12-sign-in', newEmail('p12-sign-in'));
    await expectOptedOut(user);
  });

  it('P12: a person invited before they had an account, who signs in and accepts, has marketingOptIn false', async () => {
    const inviter = await signIn(system.console.url, system.issuer, 'p12-inviter');
    const email = newEmail('p12-invited');
    const invited = await inviter.call('POST', `/api/workspaces/${inviter.workspaceId}/members`, { email, role: 'member' });
    expect(invited.status).toBe(201);
    expect(await storedOptIn(email)).toEqual([]);

    const invitee = await signIn(system.console.url, system.issuer, 'p12-invited', email);
    const accepted = await invitee.call('POST', `/api/me/invitations/${(invited.body.invitation as { id: string }).id}/accept`);
    expect(accepted.status).toBe(200);
    await expectOptedOut(invitee);
  });

  it("P12: the CLI's keys create --email makes a user with marketingOptIn false, still false once they sign in", async () => {
    const email = newEmail('p12-cli');
    const { workspaceId } = createKeyInWorkspace(TEST_DATABASE_URL, email);
    expect(await storedOptIn(email)).toEqual([false]);

    const token = await system.issuer.token(signInClaims(`sub-${randomUUID()}`, email, { name: 'cli user' }));
    const me = await call(system.console.url, token, 'GET', '/api/me');
    expect(me.status).toBe(200);
    // The first sign-in claimed the user the CLI made, workspace and all.
    expect(me.body.workspaces).toEqual([expect.objectContaining({ id: workspaceId, role: 'owner' })]);
    expect(me.body.user).toMatchObject({ email, marketingOptIn: false });
    expect(await storedOptIn(email)).toEqual([false]);
  });
});
