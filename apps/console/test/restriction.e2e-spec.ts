import Redis from 'ioredis';
import { Queue } from 'bullmq';
import { Client } from 'pg';
import { EventName, QueueName } from '@nomosly/contracts';
import { LimitsStore, limitsPrefix } from '@nomosly/limits';
import { type RunningApp, TEST_DATABASE_URL, TEST_REDIS_URL, type TestSystem, detectCall, fixture, startApp, startTestSystem, until } from '@nomosly/testing';
import { type ConsoleUnderTest, type TestUser, signIn, startConsoleUnderTest } from './helpers';

/**
 * Restriction of processing (API.md, Data rights): `PUT /api/me/restriction` refuses every key of the workspaces
 * the caller owns on every gateway within a second, charges and bills nothing, deletes nothing; lifting it
 * restores service. Two gateways on one queue, the console on the same database and events Redis; no usage app
 * runs, so every usage event a gateway queues stays on the events queue to be counted.
 */
describe('restriction of processing on every gateway replica', () => {
  let system: TestSystem;
  let second: RunningApp;
  let consoleApp: ConsoleUnderTest;
  let db: Client;
  let redis: Redis;
  let events: Queue;
  let limits: LimitsStore;

  beforeAll(async () => {
    system = await startTestSystem({ label: 'restriction', engine: 'null' });
    [second, consoleApp] = await Promise.all([startApp('gateway', system.env), startConsoleUnderTest({ QUEUE_PREFIX: system.prefix })]);
    db = new Client({ connectionString: TEST_DATABASE_URL });
    await db.connect();
    redis = new Redis(TEST_REDIS_URL);
    events = new Queue(QueueName.Events, { connection: redis, prefix: system.prefix });
    limits = new LimitsStore(redis, { prefix: limitsPrefix(system.prefix) });
  }, 180_000);
  afterAll(async () => {
    await events?.close();
    redis?.disconnect();
    await db?.end();
    await Promise.all([second?.stop(), consoleApp?.stop()]);
    await system?.stop();
  });

  const gateways = () => [system.gateway.url, second.url];
  const detect = (gateway: string, key: string, image = fixture('astronaut.png')) => detectCall(gateway, key, image)();
  const statusesOf = (key: string) => Promise.all(gateways().map((gateway) => detect(gateway, key)));

  async function newKey(user: TestUser, workspaceId: string, name: string): Promise<string> {
    const created = await user.call('POST', `/api/workspaces/${workspaceId}/keys`, { name });
    expect(created.status).toBe(201);
    return created.body.secret as string;
  }

  /** `invitee` joins `owner`'s workspace with `role`, by invitation accepted with a verified email. */
  async function join(owner: TestUser, invitee: TestUser, role: 'owner' | 'member'): Promise<void> {
    const invited = await owner.call('POST', `/api/workspaces/${owner.workspaceId}/members`, { email: invitee.email, role });
    expect(invited.status).toBe(201);
    const accepted = await invitee.call('POST', `/api/me/invitations/${(invited.body.invitation as { id: string }).id}/accept`);
    expect(accepted.status).toBe(200);
  }

  /**
   * Waits until every gateway answers `status` for every key, and returns when the first round of calls that all got
   * it was sent, counted from now: a call sent that long after the change gets the new answer everywhere.
   */
  async function everywhere(keys: readonly string[], status: number): Promise<number> {
    const started = Date.now();
    let sentAfter = Infinity;
    await until(
      async () => {
        const sent = Date.now() - started;
        const answers = (await Promise.all(keys.map(statusesOf))).flat();
        if (answers.some((answer) => answer !== status)) return false;
        sentAfter = sent;
        return true;
      },
      { what: `every gateway answering ${status} for ${keys.length} keys`, timeoutMs: 10_000, intervalMs: 20 },
    );
    return sentAfter;
  }

  async function usageJobsOf(workspaceIds: readonly string[]): Promise<number> {
    const jobs = await events.getJobs(['waiting']);
    return jobs.filter((job) => job.name === EventName.Usage && workspaceIds.includes(job.data.workspaceId as string)).length;
  }

  /** Everything restriction must leave as it is: the workspaces' keys, memberships and the user. */
  async function rowsOf(workspaceIds: readonly string[], userId: string): Promise<unknown> {
    const keys = await db.query('select id, hash, revoked_at, expires_at from api_keys where workspace_id = any($1) order by id', [workspaceIds]);
    const members = await db.query('select workspace_id, user_id, role from memberships where workspace_id = any($1) order by workspace_id, user_id', [workspaceIds]);
    const user = await db.query('select id, email, name, deletion_scheduled_for from users where id = $1', [userId]);
    return { keys: keys.rows, members: members.rows, user: user.rows };
  }

  it("refuses every key of the workspaces the user owns with 403 restricted on both gateways within 1 s; no units, no usage, nothing deleted; lifting it restores service within 1 s", async () => {
    const url = consoleApp.console.url;
    const user = await signIn(url, consoleApp.issuer, 'restricting');
    // A workspace the user co-owns, and one where the user is only a member.
    const coOwned = await signIn(url, consoleApp.issuer, 'co-owner');
    const memberOnly = await signIn(url, consoleApp.issuer, 'team-owner');
    await join(coOwned, user, 'owner');
    await join(memberOnly, user, 'member');

    const restrictedKeys = [
      await newKey(user, user.workspaceId, 'own'),
      await newKey(user, user.workspaceId, 'own second'),
      await newKey(coOwned, coOwned.workspaceId, "the co-owner's"),
    ];
    const servedKeys = [await newKey(user, memberOnly.workspaceId, "the user's in a team"), await newKey(memberOnly, memberOnly.workspaceId, "the team owner's")];
    const restrictedWorkspaces = [user.workspaceId, coOwned.workspaceId];
    // Every gateway has every key cached: only the announcement can change what they answer.
    for (const key of [...restrictedKeys, ...servedKeys]) expect(await statusesOf(key)).toEqual([200, 200]);
    const rowsBefore = await rowsOf([...restrictedWorkspaces, memberOnly.workspaceId], user.userId);
    const usageBefore = await usageJobsOf(restrictedWorkspaces);
    const unitsBefore = await Promise.all(restrictedWorkspaces.map((id) => limits.unitsThisMonth(id)));
    // Three keys, each called on both gateways.
    expect(usageBefore).toBe(6);

    const restricted = await user.call('PUT', '/api/me/restriction', { restricted: true });
    expect(restricted.status).toBe(200);
    expect(restricted.body.user).toMatchObject({ id: user.userId, restricted: true, deletionScheduledFor: null });
    expect((restricted.body.workspaces as unknown[]).length).toBe(3);
    expect(await everywhere(restrictedKeys, 403)).toBeLessThan(1_000);

    const refused = await fetch(`${second.url}/v1/faces/detect`, {
      method: 'POST',
      headers: { authorization: `Bearer ${restrictedKeys[0]}`, 'content-type': 'image/png' },
      body: fixture('astronaut.png'),
    });
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as { error: { code: string; message: string } }).error).toMatchObject({
      code: 'restricted',
      message: 'The workspace owner has restricted processing of their data.',
    });
    // Refused before the limits were asked.
    expect(refused.headers.get('ratelimit-remaining')).toBeNull();
    // Refused before the body is read: bytes that are no image get the same answer, not 400.
    for (const gateway of gateways()) expect(await detect(gateway, restrictedKeys[1], Buffer.from('not an image'))).toBe(403);
    // The user's keys in a workspace they only belong to, and its owner's, are served as before.
    for (const key of servedKeys) expect(await statusesOf(key)).toEqual([200, 200]);

    // Nothing was processed or billed for the workspaces the user owns, and nothing is deleted.
    expect(await usageJobsOf(restrictedWorkspaces)).toBe(usageBefore);
    expect(await Promise.all(restrictedWorkspaces.map((id) => limits.unitsThisMonth(id)))).toEqual(unitsBefore);
    expect(await rowsOf([...restrictedWorkspaces, memberOnly.workspaceId], user.userId)).toEqual(rowsBefore);
    expect((await user.call('GET', '/api/me')).body.user).toMatchObject({ restricted: true });
    // Asking again changes nothing.
    expect((await user.call('PUT', '/api/me/restriction', { restricted: true })).status).toBe(200);

    const lifted = await user.call('PUT', '/api/me/restriction', { restricted: false });
    expect(lifted.status).toBe(200);
    expect(lifted.body.user).toMatchObject({ restricted: false });
    expect(await everywhere(restrictedKeys, 200)).toBeLessThan(1_000);
    expect(await rowsOf([...restrictedWorkspaces, memberOnly.workspaceId], user.userId)).toEqual(rowsBefore);
  });

  it('a body without a boolean `restricted` gets 400 invalid_request and restricts nothing', async () => {
    const user = await signIn(consoleApp.console.url, consoleApp.issuer, 'restriction-body');
    for (const body of [{}, { restricted: 'yes' }, { restricted: true, extra: 1 }]) {
      const response = await user.call('PUT', '/api/me/restriction', body);
      expect(response.status).toBe(400);
      expect(response.body.error?.code).toBe('invalid_request');
    }
    expect((await user.call('GET', '/api/me')).body.user).toMatchObject({ restricted: false });
  });
});
