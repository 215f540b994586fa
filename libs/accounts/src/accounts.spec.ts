import { randomUUID } from 'node:crypto';
import { LockMode, MikroORM } from '@mikro-orm/postgresql';
import { hashApiKey } from '@nomosly/api-keys';
import { ALL_SCOPES } from '@nomosly/contracts';
import { ApiKey, Invitation, Membership, User, Workspace, ormConfig } from '@nomosly/db';
import { DEFAULT_PLANS, Plans, withWorkspaceDefaults } from '@nomosly/limits';
import { TEST_DATABASE_URL } from '@nomosly/testing';
import { AccountsError, AccountsErrorCode } from './accounts-error';
import { ApiKeyService } from './api-key.service';
import { IdentityService, type SignInIdentity } from './identity.service';
import { InvitationService } from './invitation.service';
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

const identity = (email: string, emailVerified = true, name: string | null = null): SignInIdentity => ({ subject: `sub-${randomUUID()}`, email, emailVerified, name });

async function signedIn(label: string, email = uniqueEmail(label), emailVerified = true) {
  const user = await new IdentityService(orm.em).signIn(identity(email, emailVerified, label));
  const { workspaces } = await new ProfileService(orm.em).get(user.id);
  return { user, workspaceId: workspaces[0].id };
}

/** `member` joins `owner`'s workspace the only way there is: invited, then accepting with their verified email. */
async function join(workspaceId: string, ownerId: string, member: { user: { id: string; email: string } }, role: 'owner' | 'member' = 'member') {
  const invitation = await new InvitationService(orm.em).invite(workspaceId, ownerId, member.user.email, role);
  await new InvitationService(orm.em).accept(member.user.id, invitation.id);
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
    const first = identity(uniqueEmail('First').toUpperCase(), true, 'First');
    const user = await identities.signIn(first);
    const again = await identities.signIn(first);
    expect(again.id).toBe(user.id);
    expect(user).toMatchObject({ email: first.email.toLowerCase(), name: 'First', marketingOptIn: false });
    const profile = await new ProfileService(orm.em).get(user.id);
    expect(profile.workspaces).toEqual([{ id: expect.any(String), name: `${first.email.toLowerCase()}'s workspace`, role: 'owner' }]);
  });

  it('a verified sign-in claims the user the admin CLI made for that email, with its workspace and keys', async () => {
    const email = uniqueEmail('cli-made');
    const provisioned = await provisionKey(orm.em.fork(), { email, name: 'k', scopes: [...ALL_SCOPES], dailyLimit: null }, anyKeys);
    const user = await new IdentityService(orm.em).signIn(identity(email.toUpperCase(), true));
    expect(user.id).toBe(provisioned.user.id);
    expect((await new ProfileService(orm.em).get(user.id)).workspaces).toEqual([{ id: provisioned.workspace.id, name: provisioned.workspace.name, role: 'owner' }]);
  });

  // The service is told only verified or not (an absent claim arrives as false): takeover.e2e-spec covers 'absent' end to end.
  it('an unverified email (email_verified false) signs in to an account of its own: never the CLI-made user or a verified account', async () => {
    const email = uniqueEmail('unverified');
    const provisioned = await provisionKey(orm.em.fork(), { email, name: 'k', scopes: [...ALL_SCOPES], dailyLimit: null }, anyKeys);
    const unverified = await new IdentityService(orm.em).signIn(identity(email, false));
    expect(unverified.id).not.toBe(provisioned.user.id);
    const own = await new ProfileService(orm.em).get(unverified.id);
    expect(own.workspaces).toEqual([{ id: expect.any(String), name: `${email}'s workspace`, role: 'owner' }]);
    expect(own.workspaces[0].id).not.toBe(provisioned.workspace.id);
    // The real person, verified, still claims what the CLI made for them; a second unverified one gets a third account.
    expect((await new IdentityService(orm.em).signIn(identity(email, true))).id).toBe(provisioned.user.id);
    expect((await new IdentityService(orm.em).signIn(identity(email, false))).id).not.toBe(unverified.id);
  });

  it('refuses a second subject for a verified email already linked to another', async () => {
    const email = uniqueEmail('taken');
    await new IdentityService(orm.em).signIn(identity(email, true));
    const error = await rejection(new IdentityService(orm.em).signIn(identity(email, true)));
    expect(error.code).toBe(AccountsErrorCode.IdentityConflict);
  });

  it('a linked sign-in whose email and verification are unchanged reads the user and nothing more (the bearer guard signs in on every request)', async () => {
    const unchanged = identity(uniqueEmail('unchanged'));
    const user = await new IdentityService(orm.em).signIn(unchanged);
    const users = Object.getPrototypeOf(orm.em.getRepository(User)) as { findByVerifiedEmail: (email: string) => Promise<User | null> };
    const lookups = jest.spyOn(users, 'findByVerifiedEmail');
    try {
      expect(await new IdentityService(orm.em).signIn(unchanged)).toMatchObject({ id: user.id, email: unchanged.email });
      expect(lookups).not.toHaveBeenCalled();
      // A changed verification is still checked against the other accounts.
      await new IdentityService(orm.em).signIn({ ...unchanged, emailVerified: false });
      await new IdentityService(orm.em).signIn(unchanged);
      expect(lookups).toHaveBeenCalledTimes(1);
    } finally {
      lookups.mockRestore();
    }
  });

  it("refreshes the email and its verification from the provider at each sign-in", async () => {
    const first = identity(uniqueEmail('before'), false);
    const user = await new IdentityService(orm.em).signIn(first);
    const changed = uniqueEmail('after');
    const again = await new IdentityService(orm.em).signIn({ ...first, email: changed, emailVerified: true });
    expect(again).toMatchObject({ id: user.id, email: changed });
    expect(await orm.em.fork().findOneOrFail(User, { id: user.id })).toMatchObject({ email: changed, emailVerified: true });
    // A verified email that another account already has is refused, not shared.
    const other = await signedIn('holder');
    expect((await rejection(new IdentityService(orm.em).signIn({ ...first, email: other.user.email, emailVerified: true }))).code).toBe(
      AccountsErrorCode.IdentityConflict,
    );
  });

  it('concurrent first sign-ins of one user make one personal workspace (a unique constraint; the losers retry)', async () => {
    // A user made before they ever signed in who owns no workspace yet: every first sign-in would make one.
    const email = uniqueEmail('race');
    const em = orm.em.fork();
    const made = em.create(User, { email });
    await em.flush();
    const first = identity(email, true);
    const users = await Promise.all(Array.from({ length: 6 }, () => new IdentityService(orm.em).signIn(first)));
    expect(new Set(users.map((user) => user.id))).toEqual(new Set([made.id]));
    expect(await orm.em.fork().count(Membership, { user: made.id })).toBe(1);
    expect(await orm.em.fork().count(Workspace, { personalOwner: made.id })).toBe(1);
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

    await keys().revoke(workspaceId, created[0].id, user.id);
    const expiring = await keys().create(workspaceId, user.id, { name: 'expiring', expiresAt: new Date(fixedNow.getTime() + 3_600_000) });
    expect((await rejection(keys().create(workspaceId, user.id, { name: 'over' }))).code).toBe(AccountsErrorCode.Conflict);
    const later = new Date(fixedNow.getTime() + 7_200_000);
    expect((await keys(later).create(workspaceId, user.id, { name: 'after-expiry' })).key.name).toBe('after-expiry');
    expect(expiring.key.revokedAt).toBeNull();
  });

  it('revoke is idempotent: the first revocation time stays', async () => {
    const { user, workspaceId } = await signedIn('revoke');
    const { key } = await keysAt(fixedNow).create(workspaceId, user.id, { name: 'k' });
    const first = await keysAt(fixedNow).revoke(workspaceId, key.id, user.id);
    const second = await keysAt(new Date(fixedNow.getTime() + 60_000)).revoke(workspaceId, key.id, user.id);
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
    expect(error.code).toBe(AccountsErrorCode.Conflict);
    expect(error.message).toMatch(/revoked/);
    const expired = await rejection(keysAt(new Date(soon.getTime() + 1)).rotate(workspaceId, expiring.key.id, user.id));
    expect(expired.code).toBe(AccountsErrorCode.Conflict);
    expect(expired.message).toMatch(/expired; create a new key/);
  });

  it('rotate respects maxActiveKeys: a rotation at the cap works (cap + 1 during its overlap), another one then is refused', async () => {
    const { user, workspaceId } = await signedIn('rotate-cap');
    const keys = (now = fixedNow) => new ApiKeyService(orm.em, () => now, keyCap(2));
    const first = await keys().create(workspaceId, user.id, { name: 'first' });
    await keys().create(workspaceId, user.id, { name: 'second' });
    const rotated = await keys().rotate(workspaceId, first.key.id, user.id, 3600);
    const refused = await rejection(keys().rotate(workspaceId, rotated.key.id, user.id, 3600));
    expect(refused.code).toBe(AccountsErrorCode.Conflict);
    expect(refused.message).toMatch(/2 active keys.*revoke a key/);
    const active = { workspace: workspaceId, revokedAt: null, $or: [{ expiresAt: null }, { expiresAt: { $gt: fixedNow } }] };
    expect(await orm.em.fork().count(ApiKey, active)).toBe(3);
    // Once the overlap is over, the rotated key has room to rotate again.
    const later = new Date(fixedNow.getTime() + 7_200_000);
    expect((await keys(later).rotate(workspaceId, rotated.key.id, user.id, 3600)).key.name).toBe('first');
  });

  it('a member removed while their key is being made or rotated keeps no key: both see the removal after the workspace lock', async () => {
    const owner = await signedIn('race-owner');
    const member = await signedIn('race-member');
    const coOwner = await signedIn('race-co-owner');
    await join(owner.workspaceId, owner.user.id, member);
    await join(owner.workspaceId, owner.user.id, coOwner, 'owner');
    const keys = new ApiKeyService(orm.em);
    const owners = await keys.create(owner.workspaceId, owner.user.id, { name: 'owners' });
    // The removal of the member and the co-owner holds the workspace lock (as MemberService.remove does) while the
    // member creates a key and the co-owner rotates the owner's key, both waiting on it.
    const removal = orm.em.fork();
    await removal.begin();
    await removal.findOneOrFail(Workspace, { id: owner.workspaceId }, { lockMode: LockMode.PESSIMISTIC_WRITE });
    const creating = rejection(keys.create(owner.workspaceId, member.user.id, { name: 'late' }));
    const rotating = rejection(keys.rotate(owner.workspaceId, owners.key.id, coOwner.user.id));
    await new Promise((resolve) => setTimeout(resolve, 200));
    await removal.nativeDelete(Membership, { workspace: owner.workspaceId, user: [member.user.id, coOwner.user.id] });
    await removal.nativeUpdate(ApiKey, { workspace: owner.workspaceId, createdBy: [member.user.id, coOwner.user.id], revokedAt: null }, { revokedAt: new Date() });
    await removal.commit();
    expect((await creating).code).toBe(AccountsErrorCode.NotFound);
    // After the lock the co-owner is no longer a member, so no longer one who may rotate the owner's key.
    expect((await rotating).code).toBe(AccountsErrorCode.OwnerOnly);
    expect(await orm.em.fork().count(ApiKey, { workspace: owner.workspaceId, createdBy: [member.user.id, coOwner.user.id], revokedAt: null })).toBe(0);
    expect(await orm.em.fork().count(ApiKey, { workspace: owner.workspaceId })).toBe(1);

    // A removal that committed before: the same.
    await join(owner.workspaceId, owner.user.id, member);
    await new MemberService(orm.em).remove(owner.workspaceId, member.user.id);
    expect((await rejection(keys.create(owner.workspaceId, member.user.id, { name: 'after' }))).code).toBe(AccountsErrorCode.NotFound);
    expect(await orm.em.fork().count(ApiKey, { workspace: owner.workspaceId, createdBy: member.user.id, revokedAt: null })).toBe(0);
  });

  it("another workspace's key, and malformed ids, are not found", async () => {
    const a = await signedIn('a');
    const b = await signedIn('b');
    const { key } = await new ApiKeyService(orm.em).create(b.workspaceId, b.user.id, { name: 'b' });
    for (const attempt of [
      new ApiKeyService(orm.em).revoke(a.workspaceId, key.id, a.user.id),
      new ApiKeyService(orm.em).delete(a.workspaceId, key.id, a.user.id),
      new ApiKeyService(orm.em).rotate(a.workspaceId, key.id, a.user.id),
      new ApiKeyService(orm.em).revoke(a.workspaceId, 'not-a-uuid', a.user.id),
      new ApiKeyService(orm.em).list('1; drop table users'),
    ]) {
      expect((await rejection(attempt)).code).toBe(AccountsErrorCode.NotFound);
    }
    expect(await orm.em.fork().findOne(ApiKey, { id: key.id, revokedAt: null })).not.toBeNull();
  });

  it("revoke, rotate and delete are for the workspace's owners and the key's creator; other members get OwnerOnly", async () => {
    const owner = await signedIn('key-owner');
    const creator = await signedIn('key-creator');
    const bystander = await signedIn('key-bystander');
    await join(owner.workspaceId, owner.user.id, creator);
    await join(owner.workspaceId, owner.user.id, bystander);
    const keys = new ApiKeyService(orm.em);
    const created = await keys.create(owner.workspaceId, creator.user.id, { name: 'creator' });
    for (const attempt of [
      keys.revoke(owner.workspaceId, created.key.id, bystander.user.id),
      keys.rotate(owner.workspaceId, created.key.id, bystander.user.id),
      keys.delete(owner.workspaceId, created.key.id, bystander.user.id),
    ]) {
      expect((await rejection(attempt)).code).toBe(AccountsErrorCode.OwnerOnly);
    }
    expect(await orm.em.fork().count(ApiKey, { workspace: owner.workspaceId, createdBy: creator.user.id, revokedAt: null })).toBe(1);
    const rotated = await keys.rotate(owner.workspaceId, created.key.id, creator.user.id, 0);
    expect((await keys.revoke(owner.workspaceId, rotated.key.id, owner.user.id)).key.revokedAt).not.toBeNull();
    const another = await keys.create(owner.workspaceId, creator.user.id, { name: 'another' });
    await keys.delete(owner.workspaceId, another.key.id, creator.user.id);
  });
});

describe('invitations', () => {
  const fixedNow = new Date('2030-06-01T12:00:00.000Z');
  const invitationsAt = (now: Date) => new InvitationService(orm.em, () => now);

  it('an invitation is a pending row for 7 days, never a membership or a user; listed to the workspace and to its verified addressee', async () => {
    const owner = await signedIn('inviter');
    const email = uniqueEmail('guest');
    const invitation = await invitationsAt(fixedNow).invite(owner.workspaceId, owner.user.id, email.toUpperCase(), 'owner');
    expect(invitation).toEqual({ id: expect.any(String), email, role: 'owner', createdAt: fixedNow, expiresAt: new Date('2030-06-08T12:00:00.000Z') });
    expect(await orm.em.fork().count(User, { email })).toBe(0);
    expect(await orm.em.fork().count(Membership, { workspace: owner.workspaceId })).toBe(1);
    expect((await new MemberService(orm.em, () => fixedNow).list(owner.workspaceId)).invitations).toEqual([invitation]);

    const guest = await signedIn('guest', email);
    const received = await invitationsAt(fixedNow).receivedBy(guest.user.id);
    expect(received).toEqual([{ ...invitation, workspace: { id: owner.workspaceId, name: `${owner.user.email}'s workspace` } }]);
    expect(await invitationsAt(new Date('2030-06-08T12:00:00.000Z')).receivedBy(guest.user.id)).toEqual([]);
  });

  it('only a signed-in user whose verified email is the invited one accepts; anyone else is told it does not exist', async () => {
    const owner = await signedIn('inviter');
    const email = uniqueEmail('victim');
    const invitation = await new InvitationService(orm.em).invite(owner.workspaceId, owner.user.id, email, 'owner');
    const unverified = await signedIn('attacker', email, false);
    const stranger = await signedIn('stranger');
    expect(await new InvitationService(orm.em).receivedBy(unverified.user.id)).toEqual([]);
    for (const user of [unverified, stranger, owner]) {
      expect((await rejection(new InvitationService(orm.em).accept(user.user.id, invitation.id))).code).toBe(AccountsErrorCode.NotFound);
    }
    expect((await rejection(new InvitationService(orm.em).accept(stranger.user.id, 'not-a-uuid'))).code).toBe(AccountsErrorCode.NotFound);
    expect(await orm.em.fork().count(Membership, { workspace: owner.workspaceId })).toBe(1);

    const victim = await signedIn('victim', email);
    expect(await new InvitationService(orm.em).accept(victim.user.id, invitation.id)).toEqual({
      id: owner.workspaceId,
      name: `${owner.user.email}'s workspace`,
      role: 'owner',
    });
    expect((await rejection(new InvitationService(orm.em).accept(victim.user.id, invitation.id))).code).toBe(AccountsErrorCode.Conflict);
    expect(await orm.em.fork().findOneOrFail(Invitation, { id: invitation.id })).toMatchObject({ acceptedAt: expect.any(Date) });
  });

  it('an expired invitation cannot be accepted; inviting again replaces it', async () => {
    const owner = await signedIn('inviter');
    const guest = await signedIn('late');
    const old = await invitationsAt(fixedNow).invite(owner.workspaceId, owner.user.id, guest.user.email, 'member');
    const later = new Date('2030-06-08T12:00:00.000Z');
    expect((await rejection(invitationsAt(later).accept(guest.user.id, old.id))).message).toMatch(/expired/);
    const renewed = await invitationsAt(later).invite(owner.workspaceId, owner.user.id, guest.user.email, 'member');
    expect(await orm.em.fork().count(Invitation, { id: old.id })).toBe(0);
    expect((await invitationsAt(later).accept(guest.user.id, renewed.id)).role).toBe('member');
  });

  it('one pending invitation per workspace and email, none for a member: 409 conflict; deleting one lets the owner invite again', async () => {
    const owner = await signedIn('inviter');
    const email = uniqueEmail('twice');
    const invitations = new InvitationService(orm.em);
    const first = await invitations.invite(owner.workspaceId, owner.user.id, email, 'member');
    expect((await rejection(invitations.invite(owner.workspaceId, owner.user.id, ` ${email.toUpperCase()}`, 'owner'))).code).toBe(AccountsErrorCode.Conflict);
    expect((await rejection(invitations.invite(owner.workspaceId, owner.user.id, owner.user.email, 'member'))).code).toBe(AccountsErrorCode.Conflict);
    await invitations.delete(owner.workspaceId, first.id);
    expect((await rejection(invitations.delete(owner.workspaceId, first.id))).code).toBe(AccountsErrorCode.NotFound);
    expect((await invitations.invite(owner.workspaceId, owner.user.id, email, 'member')).id).not.toBe(first.id);
  });

  it('withdrawing an invitation that is being accepted deletes nothing: the accepted one stays and the withdrawal is not found', async () => {
    const owner = await signedIn('withdraw-owner');
    const guest = await signedIn('withdraw-guest');
    const invitation = await new InvitationService(orm.em).invite(owner.workspaceId, owner.user.id, guest.user.email, 'member');
    // The accept holds the invitation's row lock (as InvitationService.accept does) while the withdrawal starts.
    const accepting = orm.em.fork();
    await accepting.begin();
    const row = await accepting.findOneOrFail(Invitation, { id: invitation.id }, { lockMode: LockMode.PESSIMISTIC_WRITE });
    const withdrawing = rejection(new InvitationService(orm.em).delete(owner.workspaceId, invitation.id));
    await new Promise((resolve) => setTimeout(resolve, 200));
    row.acceptedAt = new Date();
    accepting.create(Membership, { workspace: owner.workspaceId, user: guest.user.id, role: 'member' });
    await accepting.commit();
    expect((await withdrawing).code).toBe(AccountsErrorCode.NotFound);
    expect(await orm.em.fork().findOne(Invitation, { id: invitation.id })).toMatchObject({ acceptedAt: expect.any(Date) });
    // An invitation not accepted is withdrawn; a second withdrawal finds nothing.
    const other = await new InvitationService(orm.em).invite(owner.workspaceId, owner.user.id, uniqueEmail('other'), 'member');
    await new InvitationService(orm.em).delete(owner.workspaceId, other.id);
    expect(await orm.em.fork().count(Invitation, { id: other.id })).toBe(0);
    expect((await rejection(new InvitationService(orm.em).delete(owner.workspaceId, other.id))).code).toBe(AccountsErrorCode.NotFound);
  });

  it('two concurrent invitations of one email: one is made, the other is a conflict (a unique index)', async () => {
    const owner = await signedIn('inviter');
    const email = uniqueEmail('race');
    const results = await Promise.allSettled([0, 1, 2, 3].map(() => new InvitationService(orm.em).invite(owner.workspaceId, owner.user.id, email, 'member')));
    expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(1);
    for (const result of results) {
      if (result.status === 'rejected') expect((result.reason as AccountsError).code).toBe(AccountsErrorCode.Conflict);
    }
  });
});

describe('members', () => {
  it('the last owner cannot be removed; once another owner exists, they can', async () => {
    const owner = await signedIn('owner');
    const members = new MemberService(orm.em);
    const lastOwner = await rejection(members.remove(owner.workspaceId, owner.user.id));
    expect(lastOwner.code).toBe(AccountsErrorCode.Conflict);
    expect(lastOwner.message).toMatch(/last owner/);
    const second = await signedIn('second');
    await join(owner.workspaceId, owner.user.id, second, 'owner');
    await members.remove(owner.workspaceId, owner.user.id);
    expect((await members.list(owner.workspaceId)).members.map((m) => m.userId)).toEqual([second.user.id]);
  });

  it('removing a member revokes the keys they created in that workspace, and returns them to announce', async () => {
    const owner = await signedIn('owner');
    const member = await signedIn('leaver');
    await join(owner.workspaceId, owner.user.id, member);
    const keys = new ApiKeyService(orm.em);
    const theirs = await keys.create(owner.workspaceId, member.user.id, { name: 'theirs' });
    const ownersKey = await keys.create(owner.workspaceId, owner.user.id, { name: 'owners' });
    const inOwnWorkspace = await keys.create(member.workspaceId, member.user.id, { name: 'own' });
    const changes = await new MemberService(orm.em).remove(owner.workspaceId, member.user.id);
    expect(changes.map((change) => change.hash)).toEqual([hashApiKey(theirs.secret)]);
    const revoked = await orm.em.fork().find(ApiKey, { id: [theirs.key.id, ownersKey.key.id, inOwnWorkspace.key.id] });
    expect(Object.fromEntries(revoked.map((key) => [key.name, key.revokedAt !== null]))).toEqual({ theirs: true, owners: false, own: false });
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

  it.each([
    ['verified', true],
    ['unverified', false],
  ])('refuses an email a %s user signs in with, unless the workspace is named (of which they must be a member)', async (_what, verified) => {
    const user = await signedIn('signs-in', uniqueEmail('signs-in'), verified);
    const input = { email: user.user.email, name: 'k', scopes: [...ALL_SCOPES], dailyLimit: null };
    const refused = await rejection(provisionKey(orm.em.fork(), input, anyKeys));
    expect(refused.code).toBe(AccountsErrorCode.Conflict);
    expect(refused.message).toMatch(/--workspace/);
    expect(await orm.em.fork().count(ApiKey, { createdBy: user.user.id })).toBe(0);
    const other = await signedIn('other');
    expect((await rejection(provisionKey(orm.em.fork(), { ...input, workspaceId: other.workspaceId }, anyKeys))).code).toBe(AccountsErrorCode.InvalidRequest);
    const named = await provisionKey(orm.em.fork(), { ...input, workspaceId: user.workspaceId }, anyKeys);
    expect({ user: named.user.id, workspace: named.workspace.id }).toEqual({ user: user.user.id, workspace: user.workspaceId });
  });

  it("replace revokes only this user's keys of that name in the workspace, never another member's, and returns their hashes", async () => {
    const owner = await signedIn('replace-owner');
    const member = await signedIn('replace-member');
    await join(owner.workspaceId, owner.user.id, member);
    const theirs = await new ApiKeyService(orm.em).create(owner.workspaceId, member.user.id, { name: 'demo' });
    const input = { email: owner.user.email, workspaceId: owner.workspaceId, name: 'demo', scopes: [...ALL_SCOPES], dailyLimit: null, replace: true };
    const first = await provisionKey(orm.em.fork(), input, anyKeys);
    expect(first.replaced).toEqual([]);
    const second = await provisionKey(orm.em.fork(), input, anyKeys);
    expect(second.replaced).toEqual([hashApiKey(first.secret)]);
    const rows = await orm.em.fork().find(ApiKey, { id: [theirs.key.id, first.key.id, second.key.id] });
    expect(Object.fromEntries(rows.map((key) => [key.id, key.revokedAt !== null]))).toEqual({
      [theirs.key.id]: false,
      [first.key.id]: true,
      [second.key.id]: false,
    });
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
