import { randomUUID } from 'node:crypto';
import Redis from 'ioredis';
import { hashApiKey } from '@nomosly/api-keys';
import { ALL_SCOPES, KEY_EVENTS_CHANNEL, type KeyEvent } from '@nomosly/contracts';
import { TEST_REDIS_URL, until } from '@nomosly/testing';
import { type ConsoleUnderTest, type TestUser, call, signIn, startConsoleUnderTest } from './helpers';

let system: ConsoleUnderTest;
let url: string;
let subscriber: Redis;
const events: KeyEvent[] = [];

beforeAll(async () => {
  subscriber = new Redis(TEST_REDIS_URL);
  subscriber.on('message', (_channel: string, message: string) => events.push(JSON.parse(message) as KeyEvent));
  await subscriber.subscribe(KEY_EVENTS_CHANNEL);
  system = await startConsoleUnderTest();
  url = system.console.url;
});
afterAll(async () => {
  subscriber.disconnect();
  await system?.stop();
});

const announced = (event: KeyEvent) =>
  until(async () => events.some((seen) => JSON.stringify(seen) === JSON.stringify(event)), { what: `event ${JSON.stringify(event)}` });

function expectError(response: { status: number; body: { error?: { code: string; requestId: string } }; headers: Headers }, status: number, code: string) {
  expect({ status: response.status, code: response.body.error?.code }).toEqual({ status, code });
  expect(response.body.error?.requestId).toBe(response.headers.get('x-request-id'));
}

describe('authentication', () => {
  it('refuses a missing, malformed, expired, unexpiring, forged, wrong-audience and wrong-issuer token with 401 unauthenticated', async () => {
    const claims = { sub: `sub-${randomUUID()}`, email: 'auth@console.test' };
    const { issuer } = system;
    const cases: Array<[string, string | null, RegExp]> = [
      ['missing', null, /missing/],
      ['garbage', 'not.a.token', /well-formed/],
      ['expired', await issuer.token(claims, { expiresIn: -60 }), /expired/],
      ['no expiry', await issuer.token(claims, { expiresIn: null }), /"exp"/],
      ['forged', await issuer.token(claims, { foreignKey: true }), /signature/],
      ['wrong audience', await issuer.token(claims, { audience: 'https://elsewhere.example' }), /"aud"/],
      ['wrong issuer', await issuer.token(claims, { issuer: 'https://evil.example' }), /"iss"/],
      ['no email', await issuer.token({ sub: `sub-${randomUUID()}` }), /email/],
      // alg "none": unsigned, whatever its claims say.
      ['unsigned', `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.`, /.+/],
    ];
    for (const [what, token, message] of cases) {
      const response = await call(url, token, 'GET', '/api/me');
      expectError(response, 401, 'unauthenticated');
      expect({ what, message: response.body.error?.message }).toEqual({ what, message: expect.stringMatching(message) });
    }
  });

  it('fetches the issuer keys once and reuses them', async () => {
    const before = system.issuer.jwksFetches();
    for (let i = 0; i < 3; i++) await signIn(url, system.issuer, 'cached');
    expect(system.issuer.jwksFetches()).toBe(before);
    expect(before).toBe(1);
  });

  it('serves /healthz, /readyz (postgres and events redis) and /metrics without a token', async () => {
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    const ready = await fetch(`${url}/readyz`);
    expect(await ready.json()).toEqual({ status: 'ok', checks: { postgres: 'ok', 'events-redis': 'ok' } });
    expect(await (await fetch(`${url}/metrics`)).text()).toContain('http_request_duration_seconds');
  });
});

describe('hardening', () => {
  it('answers JSON nested deeper than 64 levels (60 KB of "[", 60 KB of {"a":...}) with 400 invalid_request, and takes 64', async () => {
    const user = await signIn(url, system.issuer, 'nesting');
    // 60 KB each (the console takes bodies up to 64 KB).
    const arrays = '['.repeat(30 * 1024) + ']'.repeat(30 * 1024);
    const objects = '{"a":'.repeat(10_000) + '1' + '}'.repeat(10_000);
    for (const body of [arrays, objects]) {
      const response = await user.call('PATCH', '/api/me', body);
      expectError(response, 400, 'invalid_request');
      expect(response.body.error?.message).toMatch(/64 levels/);
    }
    // At the cap the body is parsed, and refused for what it says (no such field), not for its depth.
    const atCap = await user.call('PATCH', '/api/me', `{"name":"x","extra":${'['.repeat(63)}${']'.repeat(63)}}`);
    expect(atCap.status).toBe(400);
    expect(atCap.body.error?.message).toMatch(/extra/);
  });

  it('sends standard security headers, a Content-Security-Policy included, on answers and on errors', async () => {
    const user = await signIn(url, system.issuer, 'headers');
    for (const response of [await user.call('GET', '/api/me'), await call(url, null, 'GET', '/api/me'), await call(url, null, 'GET', '/api/nope')]) {
      expect(response.headers.get('content-security-policy')).toContain("default-src 'self'");
      expect(response.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
      expect(response.headers.get('x-frame-options')).toBe('DENY');
      expect(response.headers.get('strict-transport-security')).toMatch(/max-age=\d+/);
      expect(response.headers.get('referrer-policy')).toBe('no-referrer');
    }
  });
});

describe('/api/me', () => {
  it('P12: returns the user with marketing opt-in off, and their personal workspace', async () => {
    const user = await signIn(url, system.issuer, 'me');
    const me = await user.call('GET', '/api/me');
    expect(me.body).toEqual({
      user: { id: user.userId, email: user.email, name: 'me', marketingOptIn: false, deletionScheduledFor: null, restricted: false },
      workspaces: [{ id: user.workspaceId, name: `${user.email}'s workspace`, role: 'owner' }],
    });
  });

  it('corrects the name and sets marketing opt-in; refuses bad bodies, and any email: that is changed at the identity provider', async () => {
    const user = await signIn(url, system.issuer, 'patch');
    const patched = await user.call('PATCH', '/api/me', { name: 'New Name', marketingOptIn: true });
    expect(patched.status).toBe(200);
    expect(patched.body.user).toEqual({ id: user.userId, email: user.email, name: 'New Name', marketingOptIn: true, deletionScheduledFor: null, restricted: false });
    for (const bad of [{ marketingOptIn: 'yes' }, { name: '' }, { nickname: 'x' }, {}, [], 'text']) {
      const response = await user.call('PATCH', '/api/me', bad);
      expectError(response, 400, 'invalid_request');
    }
    expectError(await user.call('PATCH', '/api/me', '{broken'), 400, 'invalid_request');
    for (const body of [{ email: `renamed-${randomUUID().slice(0, 8)}@console.test` }, { name: 'Other', email: user.email }, { email: 'not-an-email' }]) {
      const refused = await user.call('PATCH', '/api/me', body);
      expectError(refused, 400, 'invalid_request');
      expect(refused.body.error?.message).toMatch(/email: .*change it at the identity provider/);
    }
    expect((await user.call('GET', '/api/me')).body.user).toMatchObject({ email: user.email, name: 'New Name', marketingOptIn: true });
  });
});

describe('/api/workspaces/:ws/keys', () => {
  let owner: TestUser;
  let base: string;
  beforeAll(async () => {
    owner = await signIn(url, system.issuer, 'keys');
    base = `/api/workspaces/${owner.workspaceId}/keys`;
  });

  it('creates a key with all four scopes by default, or with the scopes, expiry and daily limit asked for', async () => {
    const created = await owner.call('POST', base, { name: 'default' });
    expect(created.status).toBe(201);
    expect(created.body.key).toMatchObject({ name: 'default', scopes: [...ALL_SCOPES], expiresAt: null, revokedAt: null, dailyLimit: null, lastUsedAt: null });
    expect(created.body.secret).toMatch(/^nk_live_[0-9A-Za-z]{32}$/);
    expect((created.body.key as { prefix: string }).prefix).toBe((created.body.secret as string).slice(0, 12));

    const expiresAt = new Date(Date.now() + 86_400_000).toISOString();
    const custom = await owner.call('POST', base, { name: 'custom', scopes: ['text:detect'], expiresAt, dailyLimit: 100 });
    expect(custom.body.key).toMatchObject({ name: 'custom', scopes: ['text:detect'], expiresAt, dailyLimit: 100 });

    const listed = await owner.call('GET', base);
    const ids = (listed.body.keys as Array<{ id: string }>).map((key) => key.id);
    expect(ids).toEqual(expect.arrayContaining([(created.body.key as { id: string }).id, (custom.body.key as { id: string }).id]));
    expect(Object.keys((listed.body.keys as object[])[0]).sort()).toEqual(
      ['id', 'name', 'prefix', 'scopes', 'createdAt', 'expiresAt', 'lastUsedAt', 'revokedAt', 'dailyLimit'].sort(),
    );
  });

  it.each([
    ['no name', {}],
    ['empty name', { name: '  ' }],
    ['unknown scope', { name: 'k', scopes: ['faces:detect', 'admin'] }],
    ['no scopes', { name: 'k', scopes: [] }],
    ['past expiry', { name: 'k', expiresAt: '2001-01-01T00:00:00Z' }],
    ['unreadable expiry', { name: 'k', expiresAt: 'tomorrow' }],
    ['zero daily limit', { name: 'k', dailyLimit: 0 }],
    ['fractional daily limit', { name: 'k', dailyLimit: 2.5 }],
    ['daily limit past a 32-bit integer', { name: 'k', dailyLimit: 3_000_000_000 }],
    ['NUL character in its name', { name: 'a\u0000b' }],
    ['unknown field', { name: 'k', owner: 'me' }],
    ['not JSON', '{"name":'],
  ])('refuses a key with %s: 400 invalid_request', async (_what, body) => {
    expectError(await owner.call('POST', base, body), 400, 'invalid_request');
  });

  it('revokes (idempotently) and announces the key hash on the events channel', async () => {
    const { body } = await owner.call('POST', base, { name: 'to-revoke' });
    const id = (body.key as { id: string }).id;
    const revoked = await owner.call('POST', `${base}/${id}/revoke`);
    expect(revoked.status).toBe(200);
    const revokedAt = (revoked.body.key as { revokedAt: string }).revokedAt;
    expect(Date.parse(revokedAt)).toBeGreaterThan(Date.now() - 10_000);
    await announced({ type: 'key', hash: hashApiKey(body.secret as string) });
    const again = await owner.call('POST', `${base}/${id}/revoke`);
    expect((again.body.key as { revokedAt: string }).revokedAt).toBe(revokedAt);
  });

  it('rotates: a new secret once, the old key expiring at now + overlapSeconds, and the old hash announced', async () => {
    const { body } = await owner.call('POST', base, { name: 'to-rotate', scopes: ['labels:detect'], dailyLimit: 9 });
    const old = body.key as { id: string };
    const before = Date.now();
    const rotated = await owner.call('POST', `${base}/${old.id}/rotate`, { overlapSeconds: 600 });
    const after = Date.now();
    expect(rotated.status).toBe(201);
    expect(rotated.body.key).toMatchObject({ name: 'to-rotate', scopes: ['labels:detect'], dailyLimit: 9, revokedAt: null });
    expect(rotated.body.secret).toMatch(/^nk_live_/);
    await announced({ type: 'key', hash: hashApiKey(body.secret as string) });
    const oldNow = ((await owner.call('GET', base)).body.keys as Array<{ id: string; expiresAt: string; revokedAt: string | null }>).find(
      (key) => key.id === old.id,
    );
    expect(Date.parse(oldNow?.expiresAt ?? '')).toBeGreaterThanOrEqual(before + 600_000 - 1000);
    expect(Date.parse(oldNow?.expiresAt ?? '')).toBeLessThanOrEqual(after + 600_000 + 1000);
    expect(oldNow?.revokedAt).toBeNull();
  });

  it('rotates with the default overlap of a day, and with overlap 0 the old key is revoked now', async () => {
    const first = await owner.call('POST', base, { name: 'default-overlap' });
    const before = Date.now();
    await owner.call('POST', `${base}/${(first.body.key as { id: string }).id}/rotate`);
    const second = await owner.call('POST', base, { name: 'no-overlap' });
    const secondId = (second.body.key as { id: string }).id;
    expect((await owner.call('POST', `${base}/${secondId}/rotate`, { overlapSeconds: 0 })).status).toBe(201);
    const keys = (await owner.call('GET', base)).body.keys as Array<{ id: string; expiresAt: string; revokedAt: string | null }>;
    const defaulted = keys.find((key) => key.id === (first.body.key as { id: string }).id);
    expect(Math.abs(Date.parse(defaulted?.expiresAt ?? '') - (before + 86_400_000))).toBeLessThan(10_000);
    const immediate = keys.find((key) => key.id === secondId);
    expect(immediate?.revokedAt).not.toBeNull();
    expect(Date.parse(immediate?.expiresAt ?? '')).toBeLessThanOrEqual(Date.now());
    for (const bad of [{ overlapSeconds: -1 }, { overlapSeconds: 1.5 }, { overlapSeconds: '60' }, { overlap: 60 }]) {
      expectError(await owner.call('POST', `${base}/${(first.body.key as { id: string }).id}/rotate`, bad), 400, 'invalid_request');
    }
    const revokedRotation = await owner.call('POST', `${base}/${secondId}/rotate`, {});
    expectError(revokedRotation, 409, 'conflict');
    expect(revokedRotation.body.error?.message).toMatch(/revoked; create a new key/);
  });

  it('deletes (204), announces the hash, and the key is gone (404 afterwards, also for unknown or malformed ids)', async () => {
    const { body } = await owner.call('POST', base, { name: 'to-delete' });
    const id = (body.key as { id: string }).id;
    const deleted = await owner.call('DELETE', `${base}/${id}`);
    expect(deleted.status).toBe(204);
    expect(deleted.text).toBe('');
    await announced({ type: 'key', hash: hashApiKey(body.secret as string) });
    expectError(await owner.call('DELETE', `${base}/${id}`), 404, 'not_found');
    expectError(await owner.call('POST', `${base}/${randomUUID()}/revoke`), 404, 'not_found');
    expectError(await owner.call('POST', `${base}/not-a-uuid/rotate`, {}), 404, 'not_found');
    expectError(await owner.call('GET', '/api/workspaces/not-a-uuid/keys'), 404, 'not_found');
  });
});

describe('active keys per workspace', () => {
  it('a key beyond the plan\'s maxActiveKeys (free: 10) answers 409 conflict saying to revoke one; after a revoke it is created', async () => {
    const owner = await signIn(url, system.issuer, 'key-cap');
    const base = `/api/workspaces/${owner.workspaceId}/keys`;
    const created = await Promise.all(Array.from({ length: 10 }, (_, i) => owner.call('POST', base, { name: `k${i}` })));
    expect(created.map((response) => response.status)).toEqual(Array(10).fill(201));
    const refused = await owner.call('POST', base, { name: 'one too many' });
    expectError(refused, 409, 'conflict');
    expect(refused.body.error?.message).toMatch(/10 active keys.*revoke a key/);
    expect(refused.body.secret).toBeUndefined();
    expect((await owner.call('POST', `${base}/${(created[0].body.key as { id: string }).id}/revoke`)).status).toBe(200);
    expect((await owner.call('POST', base, { name: 'in its place' })).status).toBe(201);
    expect(((await owner.call('GET', base)).body.keys as unknown[]).length).toBe(11);
  });
});

describe('limits and members', () => {
  let owner: TestUser;
  let member: TestUser;
  beforeAll(async () => {
    owner = await signIn(url, system.issuer, 'owner');
    member = await signIn(url, system.issuer, 'member');
    const invited = await owner.call('POST', `/api/workspaces/${owner.workspaceId}/members`, { email: member.email, role: 'member' });
    expect(invited.status).toBe(201);
    const accepted = await member.call('POST', `/api/me/invitations/${(invited.body.invitation as { id: string }).id}/accept`);
    expect(accepted.status).toBe(200);
  });

  it('shows the plan numbers and the spend cap; the owner sets and clears the cap, announced per workspace', async () => {
    const limits = `/api/workspaces/${owner.workspaceId}/limits`;
    expect((await member.call('GET', limits)).body).toEqual({
      plan: 'free',
      rateLimitPerSecond: 10,
      workspaceRequestsPerSecond: 20,
      maxInFlight: 10,
      maxActiveKeys: 10,
      monthlyUnitQuota: 1000,
      unitsThisMonth: 0,
      spendThisMonthCents: 0,
      monthlySpendCapCents: null,
    });
    const set = await owner.call('PUT', limits, { monthlySpendCapCents: 2500 });
    expect(set.status).toBe(200);
    expect(set.body.monthlySpendCapCents).toBe(2500);
    await announced({ type: 'workspace', workspaceId: owner.workspaceId });
    expect((await owner.call('PUT', limits, { monthlySpendCapCents: null })).body.monthlySpendCapCents).toBeNull();
    for (const bad of [{ monthlySpendCapCents: -1 }, { monthlySpendCapCents: 1.5 }, { monthlySpendCapCents: '100' }, {}, { cap: 1 }]) {
      expectError(await owner.call('PUT', limits, bad), 400, 'invalid_request');
    }
  });

  it('a member manages their own keys and reads members, but owner-only actions answer 403 insufficient_scope', async () => {
    const ws = `/api/workspaces/${owner.workspaceId}`;
    const own = await member.call('POST', `${ws}/keys`, { name: 'member-key' });
    expect(own.status).toBe(201);
    expect((await member.call('POST', `${ws}/keys/${(own.body.key as { id: string }).id}/revoke`)).status).toBe(200);
    expect((await member.call('GET', `${ws}/members`)).status).toBe(200);
    expectError(await member.call('PUT', `${ws}/limits`, { monthlySpendCapCents: 1 }), 403, 'insufficient_scope');
    expectError(await member.call('POST', `${ws}/members`, { email: 'x@console.test', role: 'owner' }), 403, 'insufficient_scope');
    expectError(await member.call('DELETE', `${ws}/members/${owner.userId}`), 403, 'insufficient_scope');
    const invitation = await owner.call('POST', `${ws}/members`, { email: `x-${randomUUID().slice(0, 8)}@console.test`, role: 'member' });
    expectError(await member.call('DELETE', `${ws}/invitations/${(invitation.body.invitation as { id: string }).id}`), 403, 'insufficient_scope');
  });

  it('a member may remove themself; a member may not remove another (403)', async () => {
    const ws = `/api/workspaces/${owner.workspaceId}`;
    const leaver = await signIn(url, system.issuer, 'self-leaver');
    const invited = await owner.call('POST', `${ws}/members`, { email: leaver.email, role: 'member' });
    expect((await leaver.call('POST', `/api/me/invitations/${(invited.body.invitation as { id: string }).id}/accept`)).status).toBe(200);
    expectError(await leaver.call('DELETE', `${ws}/members/${member.userId}`), 403, 'insufficient_scope');
    expectError(await member.call('DELETE', `${ws}/members/${leaver.userId}`), 403, 'insufficient_scope');
    const members = async () => ((await owner.call('GET', `${ws}/members`)).body.members as Array<{ userId: string }>).map((m) => m.userId);
    expect(await members()).toEqual([owner.userId, member.userId, leaver.userId]);
    expect((await leaver.call('DELETE', `${ws}/members/${leaver.userId}`)).status).toBe(204);
    expect(await members()).toEqual([owner.userId, member.userId]);
  });

  it('lists members and pending invitations, invites and removes; refuses bad invites (400), duplicates and removing the last owner (409)', async () => {
    const ws = `/api/workspaces/${owner.workspaceId}`;
    const roster = (await owner.call('GET', `${ws}/members`)).body as { members: Array<{ userId: string; role: string }>; invitations: unknown[] };
    expect(roster.members.map((m) => [m.userId, m.role])).toEqual([
      [owner.userId, 'owner'],
      [member.userId, 'member'],
    ]);
    for (const bad of [{ email: 'nope', role: 'member' }, { email: 'a@b.test', role: 'admin' }, { email: 'a@b.test' }]) {
      expectError(await owner.call('POST', `${ws}/members`, bad), 400, 'invalid_request');
    }
    expectError(await owner.call('POST', `${ws}/members`, { email: member.email, role: 'owner' }), 409, 'conflict');
    const lastOwner = await owner.call('DELETE', `${ws}/members/${owner.userId}`);
    expectError(lastOwner, 409, 'conflict');
    expect(lastOwner.body.error?.message).toMatch(/last owner/);

    const guestEmail = `guest-${randomUUID().slice(0, 8)}@console.test`;
    const invited = await owner.call('POST', `${ws}/members`, { email: guestEmail.toUpperCase(), role: 'member' });
    expect(invited.status).toBe(201);
    const invitation = invited.body.invitation as { id: string; expiresAt: string; createdAt: string };
    expect(invitation).toEqual({ id: expect.any(String), email: guestEmail, role: 'member', createdAt: expect.any(String), expiresAt: expect.any(String) });
    expect(Date.parse(invitation.expiresAt) - Date.parse(invitation.createdAt)).toBe(7 * 86_400_000);
    expectError(await owner.call('POST', `${ws}/members`, { email: guestEmail, role: 'owner' }), 409, 'conflict');
    expect((await owner.call('GET', `${ws}/members`)).body.invitations).toContainEqual(invitation);

    const guest = await signIn(url, system.issuer, 'guest', guestEmail);
    expect((await guest.call('GET', '/api/me/invitations')).body.invitations).toEqual([
      { ...invitation, workspace: { id: owner.workspaceId, name: `${owner.email}'s workspace` } },
    ]);
    const accepted = await guest.call('POST', `/api/me/invitations/${invitation.id}/accept`);
    expect(accepted.status).toBe(200);
    expect(accepted.body).toEqual({ workspace: { id: owner.workspaceId, name: `${owner.email}'s workspace`, role: 'member' } });
    expectError(await guest.call('POST', `/api/me/invitations/${invitation.id}/accept`), 409, 'conflict');
    expect((await guest.call('GET', '/api/me/invitations')).body.invitations).toEqual([]);
    expect((await owner.call('GET', `${ws}/members`)).body.invitations).not.toContainEqual(expect.objectContaining({ id: invitation.id }));

    // A member may leave; then they are gone.
    expect((await guest.call('DELETE', `${ws}/members/${guest.userId}`)).status).toBe(204);
    expectError(await guest.call('GET', `${ws}/members`), 404, 'not_found');
    expectError(await owner.call('DELETE', `${ws}/members/${guest.userId}`), 404, 'not_found');
    expectError(await owner.call('DELETE', `${ws}/members/not-a-uuid`), 404, 'not_found');

    // An invitation withdrawn is gone for its addressee too.
    const withdrawn = await owner.call('POST', `${ws}/members`, { email: guest.email, role: 'member' });
    const withdrawnId = (withdrawn.body.invitation as { id: string }).id;
    expect((await owner.call('DELETE', `${ws}/invitations/${withdrawnId}`)).status).toBe(204);
    expectError(await owner.call('DELETE', `${ws}/invitations/${withdrawnId}`), 404, 'not_found');
    expectError(await guest.call('POST', `/api/me/invitations/${withdrawnId}/accept`), 404, 'not_found');
  });
});
