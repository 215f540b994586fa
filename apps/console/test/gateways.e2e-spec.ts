import { type RunningApp, type TestSystem, detectCall, fixture, startApp, startTestSystem, until } from '@nomosly/testing';
import { type ConsoleUnderTest, type TestUser, signIn, startConsoleUnderTest } from './helpers';

/** One unit costs one cent here, so that a spend cap of a few cents is reached in a few calls. */
const PLANS = JSON.stringify({ free: { rateLimitPerSecond: 1000, monthlyUnitQuota: 100_000, centsPerThousandUnits: 1000 } });

/**
 * What a team does in the console reaches every gateway replica: two gateways on one queue, the console on the
 * same database and events Redis.
 */
describe('console changes in force on every gateway replica', () => {
  let system: TestSystem;
  let second: RunningApp;
  let consoleApp: ConsoleUnderTest;
  let owner: TestUser;

  beforeAll(async () => {
    system = await startTestSystem({ label: 'console-gateways', engine: 'null', gatewayEnv: { PLANS } });
    const env = { ...system.env, PLANS };
    [second, consoleApp] = await Promise.all([startApp('gateway', env), startConsoleUnderTest({ QUEUE_PREFIX: system.prefix, PLANS })]);
    owner = await signIn(consoleApp.console.url, consoleApp.issuer, 'gateways');
  }, 180_000);
  afterAll(async () => {
    await Promise.all([second?.stop(), consoleApp?.stop()]);
    await system?.stop();
  });

  const gateways = () => [system.gateway.url, second.url];
  const detect = (gateway: string, key: string) => detectCall(gateway, key, fixture('astronaut.png'))();
  const keysOf = (user: TestUser) => `/api/workspaces/${user.workspaceId}/keys`;

  async function newKey(name: string): Promise<{ id: string; secret: string }> {
    const created = await owner.call('POST', keysOf(owner), { name });
    expect(created.status).toBe(201);
    return { id: (created.body.key as { id: string }).id, secret: created.body.secret as string };
  }

  /** Waits until every gateway answers `status` for the key, and returns how long that took. */
  async function everywhere(key: string, status: number): Promise<number> {
    const started = Date.now();
    await until(async () => (await Promise.all(gateways().map((g) => detect(g, key)))).every((s) => s === status), {
      what: `every gateway answering ${status}`,
      timeoutMs: 5_000,
    });
    return Date.now() - started;
  }

  it('P3: a key revoked in the console is refused by both gateways within 1 s, though both had it cached', async () => {
    const key = await newKey('to revoke');
    for (const gateway of gateways()) expect(await detect(gateway, key.secret)).toBe(200);
    const revoked = await owner.call('POST', `${keysOf(owner)}/${key.id}/revoke`);
    expect(revoked.status).toBe(200);
    expect(await everywhere(key.secret, 401)).toBeLessThan(1_000);
  });

  it('P3: a key expiring while both gateways have it cached is refused by both within 1 s of its expiry', async () => {
    // 3 s: time to create it and call both gateways with it on a loaded machine, before it expires.
    const expiresAt = new Date(Date.now() + 3_000);
    const created = await owner.call('POST', keysOf(owner), { name: 'expiring', expiresAt: expiresAt.toISOString() });
    expect(created.status).toBe(201);
    expect(new Date((created.body.key as { expiresAt: string }).expiresAt).getTime()).toBe(expiresAt.getTime());
    const secret = created.body.secret as string;
    // Admitted by both before it expires, so both hold it in their key cache; nothing tells them it expired.
    expect(await Promise.all(gateways().map((gateway) => detect(gateway, secret)))).toEqual([200, 200]);
    expect(Date.now()).toBeLessThan(expiresAt.getTime());

    // The console, the gateways and this test share one clock: the delay is measured from the expiry instant.
    const refusedAfter: number[] = [];
    await Promise.all(
      gateways().map(async (gateway) => {
        await until(async () => (await detect(gateway, secret)) === 401, { what: `${gateway} refusing the expired key`, timeoutMs: 8_000, intervalMs: 20 });
        refusedAfter.push(Date.now() - expiresAt.getTime());
      }),
    );
    expect(refusedAfter).toHaveLength(2);
    for (const delay of refusedAfter) expect(delay).toBeLessThanOrEqual(1_000);
  });

  it('a key rotated without overlap stops at once everywhere; the new secret works everywhere', async () => {
    const key = await newKey('to rotate');
    for (const gateway of gateways()) expect(await detect(gateway, key.secret)).toBe(200);
    const rotated = await owner.call('POST', `${keysOf(owner)}/${key.id}/rotate`, { overlapSeconds: 0 });
    expect(rotated.status).toBe(201);
    expect(await everywhere(key.secret, 401)).toBeLessThan(1_000);
    await everywhere(rotated.body.secret as string, 200);
  });

  it('a deleted key is refused everywhere within 1 s', async () => {
    const key = await newKey('to delete');
    for (const gateway of gateways()) expect(await detect(gateway, key.secret)).toBe(200);
    expect((await owner.call('DELETE', `${keysOf(owner)}/${key.id}`)).status).toBe(204);
    expect(await everywhere(key.secret, 401)).toBeLessThan(1_000);
  });

  it('P3: a removed member\'s keys are revoked with them: refused by both gateways within 1 s', async () => {
    const url = consoleApp.console.url;
    const team = await signIn(url, consoleApp.issuer, 'team-owner');
    const member = await signIn(url, consoleApp.issuer, 'leaver');
    // Invited by the owner and accepted with a verified email: the only way into a workspace.
    const invited = await team.call('POST', `/api/workspaces/${team.workspaceId}/members`, { email: member.email, role: 'member' });
    expect(invited.status).toBe(201);
    expect((await member.call('POST', `/api/me/invitations/${(invited.body.invitation as { id: string }).id}/accept`)).status).toBe(200);
    const created = await member.call('POST', keysOf(team), { name: 'member key' });
    const secret = created.body.secret as string;
    for (const gateway of gateways()) expect(await detect(gateway, secret)).toBe(200);

    expect((await team.call('DELETE', `/api/workspaces/${team.workspaceId}/members/${member.userId}`)).status).toBe(204);
    expect(await everywhere(secret, 401)).toBeLessThan(1_000);
    const keys = (await team.call('GET', keysOf(team))).body.keys as Array<{ id: string; revokedAt: string | null }>;
    expect(keys.find((key) => key.id === (created.body.key as { id: string }).id)?.revokedAt).not.toBeNull();
  });

  it('P10: the spend cap set in the console stops calls on every gateway with 402, and the console shows the month', async () => {
    const limits = `/api/workspaces/${owner.workspaceId}/limits`;
    const before = (await owner.call('GET', limits)).body as { unitsThisMonth: number };
    // Two more cents may be spent this month, whatever the earlier tests of this workspace spent.
    expect((await owner.call('PUT', limits, { monthlySpendCapCents: before.unitsThisMonth + 2 })).status).toBe(200);
    const key = await newKey('spender');
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push(await detect(gateways()[i % 2], key.secret));
    expect(statuses).toEqual([200, 200, 402, 402]);
    const shown = (await owner.call('GET', limits)).body;
    expect(shown).toMatchObject({ unitsThisMonth: before.unitsThisMonth + 2, spendThisMonthCents: before.unitsThisMonth + 2 });
    expect(shown.monthlySpendCapCents).toBe(before.unitsThisMonth + 2);
    // Lifting the cap is in force everywhere within a second too.
    expect((await owner.call('PUT', limits, { monthlySpendCapCents: null })).status).toBe(200);
    expect(await everywhere(key.secret, 200)).toBeLessThan(1_000);
  });
});
