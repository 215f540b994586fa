import { randomUUID } from 'node:crypto';
import { GENEROUS_TEST_PLANS, TEST_DATABASE_URL, TEST_REDIS_URL, createKeyInWorkspace, deleteKeys, runCli, signInClaims, uniquePrefix } from '@nomosly/testing';
import { type ApiResponse, type ConsoleUnderTest, type TestUser, call, signIn, startConsoleUnderTest } from './helpers';

/**
 * Security issue 10, part 2: an email is not an identity. The demonstrated takeover was: an attacker pre-claimed
 * the victim's address (PATCH /api/me), the owner invited that address as owner (a membership on whichever
 * account held it), the attacker rotated a key and removed the real owner. Each step, and each other way in the
 * issue lists, now gets the documented refusal.
 */
describe('issue 10: email is no longer an identity (takeover paths)', () => {
  const prefix = uniquePrefix('takeover');
  let consoleApp: ConsoleUnderTest;
  let url: string;

  // The console alone: that a removed member's keys stop on every gateway is proved in gateways.e2e-spec.
  beforeAll(async () => {
    consoleApp = await startConsoleUnderTest({ QUEUE_PREFIX: prefix, PLANS: GENEROUS_TEST_PLANS });
    url = consoleApp.console.url;
  }, 180_000);
  afterAll(async () => {
    await consoleApp?.stop();
    await deleteKeys(TEST_REDIS_URL, `${prefix}:*`);
  });

  const address = (label: string) => `${label}-${randomUUID().slice(0, 8)}@takeover.test`;
  const expectError = (response: ApiResponse, status: number, code: string) =>
    expect({ status: response.status, code: response.body.error?.code }).toEqual({ status, code });
  const idOf = (response: ApiResponse, field: 'key' | 'invitation') => (response.body[field] as { id: string }).id;
  const workspacesOf = async (user: TestUser) => ((await user.call('GET', '/api/me')).body.workspaces as Array<{ id: string; role: string }>).map((w) => w.id);

  /** Invited by `owner` and accepted with a verified email: the only way into a workspace. */
  async function join(owner: TestUser, member: TestUser): Promise<void> {
    const invited = await owner.call('POST', `/api/workspaces/${owner.workspaceId}/members`, { email: member.email, role: 'member' });
    expect(invited.status).toBe(201);
    expect((await member.call('POST', `/api/me/invitations/${idOf(invited, 'invitation')}/accept`)).status).toBe(200);
  }

  it('replays the demonstrated takeover: pre-claiming the address, the owner invite, the key rotation and removing the owner all fail', async () => {
    const owner = await signIn(url, consoleApp.issuer, 'owner');
    const ws = `/api/workspaces/${owner.workspaceId}`;
    const ownersKey = await owner.call('POST', `${ws}/keys`, { name: 'production' });
    const victimEmail = address('victim');
    const attacker = await signIn(url, consoleApp.issuer, 'attacker');

    // 1. The attacker pre-claims the victim's address: refused, and the message says where an email is changed.
    const preClaim = await attacker.call('PATCH', '/api/me', { email: victimEmail });
    expectError(preClaim, 400, 'invalid_request');
    expect(preClaim.body.error?.message).toMatch(/change it at the identity provider/);
    expect((await attacker.call('GET', '/api/me')).body.user).toMatchObject({ email: attacker.email });

    // 2. The owner invites the victim's address as owner: a pending invitation, no membership for anyone.
    const invited = await owner.call('POST', `${ws}/members`, { email: victimEmail, role: 'owner' });
    expect(invited.status).toBe(201);
    expect(invited.body).toEqual({ invitation: expect.objectContaining({ email: victimEmail, role: 'owner' }) });
    expect(((await owner.call('GET', `${ws}/members`)).body.members as unknown[]).length).toBe(1);
    expect(await workspacesOf(attacker)).toEqual([attacker.workspaceId]);
    expectError(await attacker.call('POST', `/api/me/invitations/${idOf(invited, 'invitation')}/accept`), 404, 'not_found');

    // 3. and 4. Not a member: the owner's key cannot be rotated, nor the owner removed (404, existence not revealed).
    expectError(await attacker.call('POST', `${ws}/keys/${idOf(ownersKey, 'key')}/rotate`, { overlapSeconds: 0 }), 404, 'not_found');
    expectError(await attacker.call('DELETE', `${ws}/members/${owner.userId}`), 404, 'not_found');
    expect(((await owner.call('GET', `${ws}/members`)).body.members as Array<{ userId: string }>).map((m) => m.userId)).toEqual([owner.userId]);
  });

  it('P11: an unverified token for the victim\'s email signs in to an account of its own: none of the victim\'s workspaces, keys or invitations', async () => {
    const victimEmail = address('victim');
    // The victim's account as the admin CLI made it, before they ever signed in; and an owner's invitation.
    const victimWorkspace = createKeyInWorkspace(TEST_DATABASE_URL, victimEmail).workspaceId;
    const owner = await signIn(url, consoleApp.issuer, 'owner');
    const invited = await owner.call('POST', `/api/workspaces/${owner.workspaceId}/members`, { email: victimEmail, role: 'owner' });

    for (const verification of ['unverified', 'absent'] as const) {
      const attacker = await signIn(url, consoleApp.issuer, `attacker-${verification}`, victimEmail, verification);
      expect(await workspacesOf(attacker)).toEqual([attacker.workspaceId]);
      expect(attacker.workspaceId).not.toBe(victimWorkspace);
      expectError(await attacker.call('GET', `/api/workspaces/${victimWorkspace}/keys`), 404, 'not_found');
      expect((await attacker.call('GET', '/api/me/invitations')).body).toEqual({ invitations: [] });
      expectError(await attacker.call('POST', `/api/me/invitations/${idOf(invited, 'invitation')}/accept`), 404, 'not_found');
    }
    // A different verified email cannot accept it either.
    const other = await signIn(url, consoleApp.issuer, 'other');
    expectError(await other.call('POST', `/api/me/invitations/${idOf(invited, 'invitation')}/accept`), 404, 'not_found');

    // The victim, verified, gets what is theirs: the CLI-made workspace, and the invitation to accept.
    const victim = await signIn(url, consoleApp.issuer, 'victim', victimEmail);
    expect(victim.workspaceId).toBe(victimWorkspace);
    const accepted = await victim.call('POST', `/api/me/invitations/${idOf(invited, 'invitation')}/accept`);
    expect(accepted.body).toEqual({ workspace: { id: owner.workspaceId, name: `${owner.email}'s workspace`, role: 'owner' } });
  });

  it('cli keys create --email for a user who already signs in is refused unless --workspace names the workspace', async () => {
    const victimEmail = address('signs-in');
    const attacker = await signIn(url, consoleApp.issuer, 'attacker', victimEmail, 'unverified');
    const refused = runCli(['keys', 'create', '--email', victimEmail], { DATABASE_URL: TEST_DATABASE_URL });
    expect(refused.status).toBe(1);
    expect(refused.stderr).toMatch(/signs in to the console: name the workspace the key is for \(--workspace <id>\)/);
    expect(refused.stdout).toBe('');
    expect(((await attacker.call('GET', `/api/workspaces/${attacker.workspaceId}/keys`)).body.keys as unknown[]).length).toBe(0);

    const named = runCli(['keys', 'create', '--email', victimEmail, '--workspace', attacker.workspaceId], { DATABASE_URL: TEST_DATABASE_URL });
    expect(named.status).toBe(0);
    expect(named.stdout).toContain(`workspace ${attacker.workspaceId} `);
    const elsewhere = await signIn(url, consoleApp.issuer, 'elsewhere');
    const notMember = runCli(['keys', 'create', '--email', victimEmail, '--workspace', elsewhere.workspaceId], { DATABASE_URL: TEST_DATABASE_URL });
    expect(notMember.status).toBe(1);
    expect(notMember.stderr).toMatch(/is not a member of workspace/);
  });

  it('a member who did not create a key cannot revoke, rotate or delete it: 403 insufficient_scope; its creator and owners can', async () => {
    const owner = await signIn(url, consoleApp.issuer, 'owner');
    const creator = await signIn(url, consoleApp.issuer, 'creator');
    const other = await signIn(url, consoleApp.issuer, 'other');
    await join(owner, creator);
    await join(owner, other);
    const keys = `/api/workspaces/${owner.workspaceId}/keys`;
    const ownersKey = idOf(await owner.call('POST', keys, { name: 'owner' }), 'key');
    const creatorsKey = idOf(await creator.call('POST', keys, { name: 'creator' }), 'key');
    for (const id of [ownersKey, creatorsKey]) {
      expectError(await other.call('POST', `${keys}/${id}/revoke`), 403, 'insufficient_scope');
      expectError(await other.call('POST', `${keys}/${id}/rotate`, { overlapSeconds: 0 }), 403, 'insufficient_scope');
      expectError(await other.call('DELETE', `${keys}/${id}`), 403, 'insufficient_scope');
    }
    expectError(await creator.call('POST', `${keys}/${ownersKey}/rotate`, {}), 403, 'insufficient_scope');
    const listed = (await owner.call('GET', keys)).body.keys as Array<{ revokedAt: string | null }>;
    expect(listed.map((key) => key.revokedAt)).toEqual([null, null]);
    expect((await creator.call('POST', `${keys}/${creatorsKey}/rotate`, {})).status).toBe(201);
    expect((await owner.call('POST', `${keys}/${creatorsKey}/revoke`)).status).toBe(200);
    expect((await creator.call('DELETE', `${keys}/${creatorsKey}`)).status).toBe(204);
  });

  it('concurrent first requests of one new user make one user and one personal workspace', async () => {
    const token = await consoleApp.issuer.token(signInClaims(`sub-${randomUUID()}`, address('racer')));
    const answers = await Promise.all(Array.from({ length: 8 }, () => call(url, token, 'GET', '/api/me')));
    expect(answers.map((answer) => answer.status)).toEqual(Array(8).fill(200));
    expect(new Set(answers.map((answer) => (answer.body.user as { id: string }).id)).size).toBe(1);
    expect(new Set(answers.map((answer) => JSON.stringify(answer.body.workspaces))).size).toBe(1);
    expect((answers[0].body.workspaces as unknown[]).length).toBe(1);
  });
});
