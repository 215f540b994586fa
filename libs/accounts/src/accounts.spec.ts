import { randomUUID } from 'node:crypto';
import { MikroORM } from '@mikro-orm/postgresql';
import { hashApiKey } from '@nomosly/api-keys';
import { ALL_SCOPES } from '@nomosly/contracts';
import { ApiKey, Membership, User, ormConfig } from '@nomosly/db';
import { DEFAULT_PLANS, Plans, withWorkspaceDefaults } from '@nomosly/limits';
import { TEST_DATABASE_URL } from '@nomosly/testing';
import { AccountsError, AccountsErrorCode } from './accounts-error';
import { ApiKeyService } from './api-key.service';
import { IdentityService } from './identity.service';
import { MemberService } from './member.service';
import { ProfileService } from './profile.service';
import { provisionKey } from './provision-key';

let orm: MikroORM;
beforeAll(async () => {
  orm = await MikroORM.init(ormConfig({ url: TEST_DATABASE_URL, poolSize: 2 }));
});
afterAll(() => orm.close(true));

/** Plans whose `free` (every new workspace's plan) allows `maxActiveKeys` active keys. */
const keyCap = (maxActiveKeys: number) =>
  new Plans({ ...DEFAULT_PLANS, free: { ...DEFAULT_PLANS.free, maxActiveKeys } }, () => undefined);
const anyKeys = new Plans({ free: withWorkspaceDefaults({ rateLimitPerSecond: 1, monthlyUnitQuota: 1, centsPerThousandUnits: 0 }) }, () => undefined);

const uniqueEmail = (label: string) => `${label}-${randomUUID().slice(0, 8)}@accounts.test`;

async function signedIn(label: string) {
  const email = uniqueEmail(label);
  const user = await new IdentityService(orm.em).signIn({ subject: `sub-${randomUUID()}`, email, name: label });
  const { workspaces } = await new ProfileService(orm.em).get(user.id);
  return { user, workspaceId: workspaces[0].id };
}

async function rejection(promise: Promise<unknown>): Promise<AccountsError> {
  const error = await promise.then(
    () => null,
    (thrown: unknown) => thrown,
  );
  if (!(error instanceof AccountsError)) throw new Error(`expected an AccountsError, got ${String(error)}`);
  return error;
}

describe('sign-in provisioning', () => {
  it('first sign-in creates the user, "<email>\'s workspace" and its owner membership; later ones reuse them', async () => {
    const identities = new IdentityService(orm.em);
    const identity = { subject: `sub-${randomUUID()}`, email: uniqueEmail('First').toUpperCase(), name: 'First' };
    const first = await identities.signIn(identity);
    const again = await identities.signIn(identity);
    expect(again.id).toBe(first.id);
    expect(first).toMatchObject({ email: identity.email.toLowerCase(), name: 'First', marketingOptIn: false });
    const profile = await new ProfileService(orm.em).get(first.id);
    expect(profile.workspaces).toEqual([{ id: expect.any(String), name: `${identity.email.toLowerCase()}'s workspace`, role: 'owner' }]);
  });

  it('links a user invited by email before they ever signed in, keeping their membership', async () => {
    const owner = await signedIn('owner');
    const email = uniqueEmail('invited');
    const invited = await new MemberService(orm.em).add(owner.workspaceId, email, 'member');
    const user = await new IdentityService(orm.em).signIn({ subject: `sub-${randomUUID()}`, email, name: 'Invited' });
    expect(user.id).toBe(invited.userId);
    const roles = (await new ProfileService(orm.em).get(user.id)).workspaces.map((w) => [w.id === owner.workspaceId ? 'invited-to' : 'own', w.role]);
    expect(roles.sort()).toEqual([
      ['invited-to', 'member'],
      ['own', 'owner'],
    ]);
  });

  it('refuses a second subject for an email already linked to another', async () => {
    const email = uniqueEmail('taken');
    await new IdentityService(orm.em).signIn({ subject: `sub-${randomUUID()}`, email, name: null });
    const error = await rejection(new IdentityService(orm.em).signIn({ subject: `sub-${randomUUID()}`, email, name: null }));
    expect(error.code).toBe(AccountsErrorCode.IdentityConflict);
  });
});

describe('API key lifecycle', () => {
  const fixedNow = new Date('2030-06-01T12:00:00.000Z');
  const keysAt = (now: Date) => new ApiKeyService(orm.em, () => now);

  it('P3: create stores only the SHA-256 hash, defaults to all four scopes, and returns the secret once', async () => {
    const { user, workspaceId } = await signedIn('create');
    const issued = await new ApiKeyService(orm.em).create(workspaceId, user.id, { name: ' ci ' });
    expect(issued.key).toMatchObject({ name: 'ci', scopes: [...ALL_SCOPES], dailyLimit: null, expiresAt: null, revokedAt: null });
    const row = await orm.em.fork().findOneOrFail(ApiKey, { id: issued.key.id });
    expect(row.hash).toBe(hashApiKey(issued.secret));
    expect(Object.values(row).map(String).join(' ')).not.toContain(issued.secret.slice(12));
    expect(JSON.stringify(await new ApiKeyService(orm.em).list(workspaceId))).not.toContain(issued.secret.slice(12));
  });

  it.each([
    [{ name: '' }, /name/],
    [{ name: 'k', scopes: [] }, /scopes/],
    [{ name: 'k', scopes: ['faces:detect', 'admin'] }, /unknown: admin/],
    [{ name: 'k', expiresAt: new Date('2030-06-01T11:59:59Z') }, /future/],
    [{ name: 'k', dailyLimit: 0 }, /dailyLimit/],
    [{ name: 'k', dailyLimit: 1.5 }, /dailyLimit/],
  ])('refuses %j', async (input, message) => {
    const { user, workspaceId } = await signedIn('refuse');
    const error = await rejection(keysAt(fixedNow).create(workspaceId, user.id, input));
    expect(error.code).toBe(AccountsErrorCode.InvalidRequest);
    expect(error.message).toMatch(message);
  });

  it('caps active keys at the plan\'s maxActiveKeys, race-free: 8 created at once make exactly 3; revoked and expired keys leave room', async () => {
    const { user, workspaceId } = await signedIn('cap');
    const keys = (now = fixedNow) => new ApiKeyService(orm.em, () => now, keyCap(3));
    const outcomes = await Promise.allSettled(Array.from({ length: 8 }, (_, i) => keys().create(workspaceId, user.id, { name: `k${i}` })));
    const created = outcomes.filter((outcome) => outcome.status === 'fulfilled').map((outcome) => (outcome as PromiseFulfilledResult<{ key: { id: string } }>).value.key);
    expect(created).toHaveLength(3);
    for (const outcome of outcomes.filter((o) => o.status === 'rejected')) {
      const reason = (outcome as PromiseRejectedResult).reason as AccountsError;
      expect(reason.code).toBe(AccountsErrorCode.Conflict);
      expect(reason.message).toMatch(/3 active keys.*revoke a key/);
    }

    await keys().revoke(workspaceId, created[0].id);
    const expiring = await keys().create(workspaceId, user.id, { name: 'expiring', expiresAt: new Date(fixedNow.getTime() + 3_600_000) });
    expect((await rejection(keys().create(workspaceId, user.id, { name: 'over' }))).code).toBe(AccountsErrorCode.Conflict);
    const later = new Date(fixedNow.getTime() + 7_200_000);
    expect((await keys(later).create(workspaceId, user.id, { name: 'after-expiry' })).key.name).toBe('after-expiry');
    expect(expiring.key.revokedAt).toBeNull();
  });

  it('revoke is idempotent: the first revocation time stays', async () => {
    const { user, workspaceId } = await signedIn('revoke');
    const { key } = await keysAt(fixedNow).create(workspaceId, user.id, { name: 'k' });
    const first = await keysAt(fixedNow).revoke(workspaceId, key.id);
    const second = await keysAt(new Date(fixedNow.getTime() + 60_000)).revoke(workspaceId, key.id);
    expect(first.key.revokedAt).toEqual(fixedNow);
    expect(second.key.revokedAt).toEqual(fixedNow);
  });

  it('rotate: the new key copies name, scopes, daily limit and expiry; the old one expires at now + overlap', async () => {
    const { user, workspaceId } = await signedIn('rotate');
    const expiresAt = new Date('2031-01-01T00:00:00Z');
    const old = await keysAt(fixedNow).create(workspaceId, user.id, { name: 'prod', scopes: ['text:detect'], dailyLimit: 50, expiresAt });
    const rotated = await keysAt(fixedNow).rotate(workspaceId, old.key.id, user.id, 3600);
    expect(rotated.key).toMatchObject({ name: 'prod', scopes: ['text:detect'], dailyLimit: 50, expiresAt });
    expect(rotated.key.id).not.toBe(old.key.id);
    expect(rotated.secret).not.toBe(old.secret);
    expect(rotated.previous.key.expiresAt).toEqual(new Date(fixedNow.getTime() + 3600_000));
    expect(rotated.previous.key.revokedAt).toBeNull();
    expect(rotated.previous.hash).toBe(hashApiKey(old.secret));
  });

  it('rotate keeps an old expiry that comes sooner than the overlap, and overlap 0 revokes the old key now', async () => {
    const { user, workspaceId } = await signedIn('rotate0');
    const soon = new Date(fixedNow.getTime() + 60_000);
    const expiring = await keysAt(fixedNow).create(workspaceId, user.id, { name: 'soon', expiresAt: soon });
    expect((await keysAt(fixedNow).rotate(workspaceId, expiring.key.id, user.id)).previous.key.expiresAt).toEqual(soon);

    const plain = await keysAt(fixedNow).create(workspaceId, user.id, { name: 'now' });
    const rotated = await keysAt(fixedNow).rotate(workspaceId, plain.key.id, user.id, 0);
    expect(rotated.previous.key).toMatchObject({ expiresAt: fixedNow, revokedAt: fixedNow });
    const error = await rejection(keysAt(fixedNow).rotate(workspaceId, plain.key.id, user.id));
    expect(error.message).toMatch(/revoked/);
  });

  it("another workspace's key, and malformed ids, are not found", async () => {
    const a = await signedIn('a');
    const b = await signedIn('b');
    const { key } = await new ApiKeyService(orm.em).create(b.workspaceId, b.user.id, { name: 'b' });
    for (const attempt of [
      new ApiKeyService(orm.em).revoke(a.workspaceId, key.id),
      new ApiKeyService(orm.em).delete(a.workspaceId, key.id),
      new ApiKeyService(orm.em).rotate(a.workspaceId, key.id, a.user.id),
      new ApiKeyService(orm.em).revoke(a.workspaceId, 'not-a-uuid'),
      new ApiKeyService(orm.em).list('1; drop table users'),
    ]) {
      expect((await rejection(attempt)).code).toBe(AccountsErrorCode.NotFound);
    }
    expect(await orm.em.fork().findOne(ApiKey, { id: key.id, revokedAt: null })).not.toBeNull();
  });
});

describe('members', () => {
  it('the last owner cannot be removed; once another owner exists, they can', async () => {
    const { user, workspaceId } = await signedIn('owner');
    const members = new MemberService(orm.em);
    expect((await rejection(members.remove(workspaceId, user.id))).message).toMatch(/last owner/);
    const second = await members.add(workspaceId, uniqueEmail('second'), 'owner');
    await members.remove(workspaceId, user.id);
    expect((await members.list(workspaceId)).map((m) => m.userId)).toEqual([second.userId]);
  });

  it('invites create the user row once; a second invite of the same person is refused', async () => {
    const { workspaceId } = await signedIn('inviter');
    const email = uniqueEmail('guest');
    await new MemberService(orm.em).add(workspaceId, email, 'member');
    expect(await orm.em.fork().count(User, { email, providerSubject: null })).toBe(1);
    expect((await rejection(new MemberService(orm.em).add(workspaceId, email.toUpperCase(), 'owner'))).message).toMatch(/already a member/);
    expect(await orm.em.fork().count(Membership, { workspace: workspaceId })).toBe(2);
  });
});

describe('provisionKey (admin CLI)', () => {
  it('creates the user and personal workspace once, then adds keys to that workspace', async () => {
    const email = uniqueEmail('cli');
    const first = await provisionKey(orm.em.fork(), { email, name: 'one', scopes: ['faces:detect'], dailyLimit: null }, anyKeys);
    const second = await provisionKey(orm.em.fork(), { email: email.toUpperCase(), name: 'two', scopes: [...ALL_SCOPES], dailyLimit: 5 }, anyKeys);
    expect(first.createdUser).toBe(true);
    expect(second.createdUser).toBe(false);
    expect(second.workspace.id).toBe(first.workspace.id);
    expect(first.workspace.name).toBe(`${email}'s workspace`);
    expect(second.key).toMatchObject({ name: 'two', dailyLimit: 5, hash: hashApiKey(second.secret) });
  });

  it('refuses a key beyond the plan\'s maxActiveKeys with a conflict that says to revoke one, also when asked at once', async () => {
    const email = uniqueEmail('cli-cap');
    const create = () => provisionKey(orm.em.fork(), { email, name: 'k', scopes: [...ALL_SCOPES], dailyLimit: null }, keyCap(2));
    await create(); // the user and workspace exist before the race
    const outcomes = await Promise.allSettled(Array.from({ length: 5 }, create));
    expect(outcomes.filter((outcome) => outcome.status === 'fulfilled')).toHaveLength(1);
    for (const outcome of outcomes.filter((o) => o.status === 'rejected')) {
      expect((outcome as PromiseRejectedResult).reason).toMatchObject({ code: AccountsErrorCode.Conflict, message: expect.stringMatching(/revoke a key/) });
    }
    expect(await orm.em.fork().count(ApiKey, { createdBy: { email } })).toBe(2);
  });
});
