import { randomBytes } from 'node:crypto';
import Redis from 'ioredis';
import { Client } from 'pg';
import { hashApiKey } from '@nomosly/api-keys';
import type { Queue } from 'bullmq';
import { EventName, KEY_EVENTS_CHANNEL, type KeyEvent, eventJobId } from '@nomosly/contracts';
import { LimitsStore, limitsPrefix, secondsToNextUtcDay } from '@nomosly/limits';
import {
  type RunningApp,
  type TestSystem,
  TEST_DATABASE_URL,
  TEST_REDIS_URL,
  createKeyInWorkspace,
  createKeyWithCli,
  eventsQueue,
  fixture,
  startApp,
  startTestSystem,
  until,
} from '@nomosly/testing';
import { callApi, metricValue } from './helpers';

const PLANS = JSON.stringify({
  free: { rateLimitPerSecond: 100_000, monthlyUnitQuota: 1_000_000_000, centsPerThousandUnits: 0 },
  slow: { rateLimitPerSecond: 2, monthlyUnitQuota: 1_000, centsPerThousandUnits: 0 },
  seven: { rateLimitPerSecond: 1_000, monthlyUnitQuota: 7, centsPerThousandUnits: 0 },
  // Each key could make 1000 calls a second; the workspace, over all its keys, 3.
  crowd: { rateLimitPerSecond: 1_000, workspaceRequestsPerSecond: 3, monthlyUnitQuota: 1_000, centsPerThousandUnits: 0 },
  // Half a cent per unit: a cap of 2 cents allows 4 units.
  priced: { rateLimitPerSecond: 1_000, monthlyUnitQuota: 1_000, centsPerThousandUnits: 500 },
});

const errorCode = (body: Record<string, unknown>) => (body.error as { code: string }).code;

/**
 * P10: each limit, hit through the real gateway: the documented status, code and headers, and no units taken
 * for a refused or failed call. Each test has a workspace of its own (a new user), so quotas never mix.
 */
describe('gateway limits (P10)', () => {
  let system: TestSystem;
  let secondGateway: RunningApp;
  let db: Client;
  let redis: Redis;
  let limits: LimitsStore;
  let events: Queue;

  beforeAll(async () => {
    system = await startTestSystem({ label: 'limits', engine: 'null', gatewayEnv: { PLANS } });
    // A second replica on the same queue prefix and events Redis, as production runs several.
    secondGateway = await startApp('gateway', { ...system.env, PLANS });
    db = new Client({ connectionString: TEST_DATABASE_URL });
    await db.connect();
    redis = new Redis(TEST_REDIS_URL);
    limits = new LimitsStore(redis, { prefix: limitsPrefix(system.prefix) });
    // What the usage app would bill: no consumer runs here, so every usage event stays where the gateway put it.
    events = eventsQueue(system.prefix);
  }, 180_000);
  afterAll(async () => {
    await Promise.all([secondGateway?.stop(), db?.end(), events?.close()]);
    redis?.disconnect();
    await system?.stop();
  });

  /** A key in a workspace of its own, on `plan`. */
  async function workspaceKey(plan: string, extra: string[] = []): Promise<{ key: string; workspaceId: string; keyId: string }> {
    const key = createKeyWithCli(TEST_DATABASE_URL, `limits-${randomBytes(4).toString('hex')}@test.nomosly.local`, extra);
    const { rows } = await db.query<{ id: string; workspace_id: string }>('select id, workspace_id from api_keys where hash = $1', [hashApiKey(key)]);
    await db.query('update workspaces set plan = $1 where id = $2', [plan, rows[0].workspace_id]);
    return { key, workspaceId: rows[0].workspace_id, keyId: rows[0].id };
  }

  const detect = (key: string, gateway = system.gateway) =>
    callApi({ ...system, gateway }, '/v1/faces/detect', 'raw', { image: fixture('astronaut.png') }, { key });
  const notAnImage = (key: string) => callApi(system, '/v1/faces/detect', 'raw', { image: Buffer.from('not an image at all') }, { key });
  const publish = (event: KeyEvent) => redis.publish(KEY_EVENTS_CHANNEL, JSON.stringify(event));
  /**
   * P10 from the events queue, not from the limits counter: each 200 has its usage event (under its
   * x-request-id) and each refused answer none. Both kinds must be there, so the check cannot pass on an empty read.
   */
  async function expectUsageEventsForSuccessesOnly(responses: Array<{ status: number; headers: Headers }>): Promise<void> {
    const answers = await Promise.all(
      responses.map(async (response) => {
        const requestId = response.headers.get('x-request-id') ?? '';
        expect(requestId).not.toBe('');
        return { requestId, status: response.status, usageEvent: (await events.getJob(eventJobId(EventName.Usage, requestId))) !== undefined };
      }),
    );
    expect(new Set(answers.map((answer) => answer.requestId)).size).toBe(answers.length);
    expect(answers.some((answer) => answer.status === 200)).toBe(true);
    expect(answers.some((answer) => answer.status !== 200)).toBe(true);
    expect(answers.filter((answer) => answer.usageEvent !== (answer.status === 200))).toEqual([]);
  }

  const rateLimitHeaders = (headers: Headers) => ({
    limit: headers.get('ratelimit-limit'),
    remaining: headers.get('ratelimit-remaining'),
    reset: headers.get('ratelimit-reset'),
  });

  it('P10: RateLimit-* headers on a 200 and on a 400 after authentication, none on a 401', async () => {
    const { key } = await workspaceKey('seven');
    const ok = await detect(key);
    expect(ok.status).toBe(200);
    // The monthly quota (7) is closer to refusing than the rate limit (1000 per second): it is the one reported.
    expect(rateLimitHeaders(ok.headers)).toMatchObject({ limit: '7', remaining: '6' });
    expect(Number(ok.headers.get('ratelimit-reset'))).toBeGreaterThan(0);
    expect(ok.headers.get('retry-after')).toBeNull();

    const bad = await notAnImage(key);
    expect(bad.status).toBe(400);
    expect(rateLimitHeaders(bad.headers)).toMatchObject({ limit: '7', remaining: '5' });
    // The failed call's unit was given back before its answer left.
    expect(rateLimitHeaders((await detect(key)).headers)).toMatchObject({ limit: '7', remaining: '5' });

    const unknown = await detect(`nk_live_${'B'.repeat(32)}`);
    expect(unknown.status).toBe(401);
    expect(unknown.headers.get('ratelimit-limit')).toBeNull();
  });

  it('P10: over the per-key rate limit, 429 rate_limited with Retry-After and the headers, and no usage event for a 429', async () => {
    const { key, workspaceId } = await workspaceKey('slow');
    const responses = await Promise.all(Array.from({ length: 6 }, () => detect(key)));
    // Two per second: six at once admit two, or four if they straddle a second.
    const refused = responses.filter((response) => response.status === 429);
    expect(refused.length).toBeGreaterThanOrEqual(2);
    expect(refused.length + responses.filter((response) => response.status === 200).length).toBe(6);
    for (const response of refused) {
      expect(errorCode(response.body)).toBe('rate_limited');
      expect(response.headers.get('retry-after')).toBe('1');
      expect(rateLimitHeaders(response.headers)).toEqual({ limit: '2', remaining: '0', reset: '1' });
    }
    expect(await limits.unitsThisMonth(workspaceId)).toBe(6 - refused.length);
    await expectUsageEventsForSuccessesOnly(responses);
    await until(async () => (await detect(key)).status === 200, { what: 'the next second admitting again', intervalMs: 200 });
  });

  it('P10: over the workspace\'s rate limit, whichever of its keys is used, 429 rate_limited with Retry-After, and no units taken nor usage event', async () => {
    const email = `limits-${randomBytes(4).toString('hex')}@test.nomosly.local`;
    const { secret, workspaceId } = createKeyInWorkspace(TEST_DATABASE_URL, email);
    const keys = [secret, createKeyWithCli(TEST_DATABASE_URL, email), createKeyWithCli(TEST_DATABASE_URL, email)];
    await db.query('update workspaces set plan = $1 where id = $2', ['crowd', workspaceId]);
    const responses = await Promise.all(keys.flatMap((key) => Array.from({ length: 4 }, () => detect(key))));
    // Three per second for the workspace: twelve at once admit three, or six if they straddle a second.
    const refused = responses.filter((response) => response.status === 429);
    expect(refused.length).toBeGreaterThanOrEqual(6);
    expect(refused.length + responses.filter((response) => response.status === 200).length).toBe(12);
    for (const response of refused) {
      expect(errorCode(response.body)).toBe('rate_limited');
      expect((response.body.error as { message: string }).message).toMatch(/this workspace may make 3 requests per second/);
      expect(response.headers.get('retry-after')).toBe('1');
      expect(rateLimitHeaders(response.headers)).toEqual({ limit: '3', remaining: '0', reset: '1' });
    }
    expect(await limits.unitsThisMonth(workspaceId)).toBe(12 - refused.length);
    await expectUsageEventsForSuccessesOnly(responses);
  });

  it('P10: a key with --daily-limit 3 is admitted exactly 3 times, then 429 until the next UTC day, with no usage event for a 429', async () => {
    const { key } = await workspaceKey('free', ['--daily-limit', '3']);
    const statuses: number[] = [];
    const responses: Array<Awaited<ReturnType<typeof detect>>> = [];
    let last: Awaited<ReturnType<typeof detect>> | undefined;
    for (let i = 0; i < 5; i++) {
      last = await detect(key);
      responses.push(last);
      statuses.push(last.status);
      if (i === 2) expect(rateLimitHeaders(last.headers)).toMatchObject({ limit: '3', remaining: '0' });
    }
    expect(statuses).toEqual([200, 200, 200, 429, 429]);
    await expectUsageEventsForSuccessesOnly(responses);
    if (!last) throw new Error('no call made');
    expect(errorCode(last.body)).toBe('rate_limited');
    const expected = secondsToNextUtcDay(Math.floor(Date.now() / 1000));
    expect(Math.abs(Number(last.headers.get('retry-after')) - expected)).toBeLessThanOrEqual(5);
    expect(last.headers.get('ratelimit-reset')).toBe(last.headers.get('retry-after'));
  });

  it('P10: a monthly quota of 7 admits exactly 7 of 20 parallel calls, and failed calls (400) take none of it; only the 7 have usage events', async () => {
    const { key, workspaceId } = await workspaceKey('seven');
    for (let i = 0; i < 3; i++) expect((await notAnImage(key)).status).toBe(400);
    expect(await limits.unitsThisMonth(workspaceId)).toBe(0);

    const responses = await Promise.all(Array.from({ length: 20 }, () => detect(key)));
    const statuses = responses.map((response) => response.status).sort();
    expect(statuses).toEqual([...Array(7).fill(200), ...Array(13).fill(429)]);
    for (const response of responses.filter((r) => r.status === 429)) {
      expect(errorCode(response.body)).toBe('rate_limited');
      expect(Number(response.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(rateLimitHeaders(response.headers)).toMatchObject({ limit: '7', remaining: '0' });
    }
    expect(await limits.unitsThisMonth(workspaceId)).toBe(7);
    await expectUsageEventsForSuccessesOnly(responses);
  });

  it('P10: a spend cap set in the console stops calls with 402 before any work is done, and the 402 queues no usage event', async () => {
    const { key, workspaceId } = await workspaceKey('priced');
    expect((await detect(key)).status).toBe(200); // the key, without a cap, is now cached
    const invalidations = () => metricValue(system.gateway.url, 'api_key_cache_invalidations_total', { type: 'workspace' });
    const before = await invalidations();
    await db.query('update workspaces set monthly_spend_cap_cents = 2 where id = $1', [workspaceId]);
    await publish({ type: 'workspace', workspaceId });
    await until(async () => (await invalidations()) > before, { what: 'the gateway dropping the workspace from its cache' });

    const admitted = [];
    for (let i = 0; i < 3; i++) admitted.push(await detect(key));
    expect(admitted.map((response) => response.status)).toEqual([200, 200, 200]);
    const jobs = () => metricValue(system.gateway.url, 'vision_jobs_total', { operation: 'faces.detect', outcome: 'ok' });
    const jobsBefore = await jobs();
    const capped = await detect(key);
    expect(capped.status).toBe(402);
    expect(errorCode(capped.body)).toBe('spend_cap_reached');
    expect(rateLimitHeaders(capped.headers).limit).toBe('1000');
    expect(await jobs()).toBe(jobsBefore);
    expect(await limits.unitsThisMonth(workspaceId)).toBe(4);
    expect(await limits.spendThisMonthCents(workspaceId, JSON.parse(PLANS).priced)).toBe(2);
    await expectUsageEventsForSuccessesOnly([...admitted, capped]);
  });

  it('P3: a revoked key is refused (401) on two gateway replicas within 1 s', async () => {
    const { key } = await workspaceKey('free');
    expect((await detect(key)).status).toBe(200);
    expect((await detect(key, secondGateway)).status).toBe(200);
    await db.query('update api_keys set revoked_at = now() where hash = $1', [hashApiKey(key)]);
    await publish({ type: 'key', hash: hashApiKey(key) });
    await until(async () => (await detect(key)).status === 401 && (await detect(key, secondGateway)).status === 401, {
      what: 'both replicas refusing the revoked key',
      timeoutMs: 1000,
      intervalMs: 50,
    });
  });

  it('ignores key events that break the contract, and keeps serving', async () => {
    const { key } = await workspaceKey('free');
    await redis.publish(KEY_EVENTS_CHANNEL, 'not json');
    await redis.publish(KEY_EVENTS_CHANNEL, JSON.stringify({ type: 'key', hash: 'not-a-sha256-7f3a' }));
    expect((await detect(key)).status).toBe(200);
    const logged = (kind: string) => system.gateway.logs().includes(`ignored a key event that breaks the contract (${kind})`);
    await until(async () => logged('type key') && logged('not JSON'), { what: 'the bad events logged, by kind' });
    expect(system.gateway.logs()).not.toContain('not-a-sha256-7f3a');
  });

  it('503 unavailable with Retry-After (never 500) when the events Redis is down, and /readyz says so', async () => {
    const gateway = await startApp('gateway', { ...system.env, EVENTS_REDIS_URL: 'redis://127.0.0.1:1' }, { waitFor: '/healthz' });
    try {
      const ready = (await (await fetch(`${gateway.url}/readyz`)).json()) as { checks: Record<string, string> };
      expect(ready.checks['events-redis']).not.toBe('ok');
      const response = await detect(system.key, gateway);
      expect(response.status).toBe(503);
      expect(errorCode(response.body)).toBe('unavailable');
      expect(response.headers.get('retry-after')).toMatch(/^\d+$/);
    } finally {
      await gateway.stop();
    }
  }, 60_000);
});
