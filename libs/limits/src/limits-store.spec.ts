import Redis from 'ioredis';
import { LimitsStore, limitsStoreOptions, type Admission, type AdmitInput, type Ticket } from './limits-store';
import { rateLimitHeaders } from './rate-limit-headers';
import { withWorkspaceDefaults } from './plans';
import { secondsToNextUtcDay, secondsToNextUtcMonth, utcMonthTagOf } from './calendar';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
/** 2024-03-31T23:59:58Z: two seconds before both a UTC day and a UTC month end. */
const BEFORE_MONTH_END = Date.UTC(2024, 2, 31, 23, 59, 58) / 1000;

function ticketOf(admission: Admission): Ticket {
  if (!admission.ticket) throw new Error(`expected an admission, got a refusal by ${admission.refusedBy}`);
  return admission.ticket;
}

const generous = withWorkspaceDefaults({ rateLimitPerSecond: 1_000_000, monthlyUnitQuota: 1_000_000, centsPerThousandUnits: 0 });
const LEASE_MS = 60_000;

describe('LimitsStore (P10) against the real Redis', () => {
  let redis: Redis;
  let prefix: string;
  let now: number;
  let store: LimitsStore;
  let serial = 0;

  beforeAll(() => {
    redis = new Redis(REDIS_URL);
  });
  afterAll(() => redis.quit());
  beforeEach(() => {
    prefix = `t-limits-${process.pid}-${Date.now()}-${serial++}`;
    now = BEFORE_MONTH_END - 3600;
    store = new LimitsStore(redis, { prefix, fixedClock: () => now });
  });
  afterEach(async () => {
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length) await redis.del(...keys);
  });

  const call = (overrides: Partial<AdmitInput> = {}): AdmitInput => ({
    keyId: 'key-a',
    workspaceId: 'ws-a',
    dailyLimit: null,
    plan: generous,
    monthlySpendCapCents: null,
    units: 1,
    leaseMs: LEASE_MS,
    ...overrides,
  });
  const admitMany = (count: number, input: AdmitInput) => Promise.all(Array.from({ length: count }, () => store.admit(input)));
  const verdicts = (admissions: Array<{ refusedBy: string | null }>) => {
    const counts: Record<string, number> = {};
    for (const { refusedBy } of admissions) counts[refusedBy ?? 'admitted'] = (counts[refusedBy ?? 'admitted'] ?? 0) + 1;
    return counts;
  };

  it('P10: 50 parallel calls against a rate limit of 7 per second admit exactly 7', async () => {
    const admissions = await admitMany(50, call({ plan: { ...generous, rateLimitPerSecond: 7 } }));
    expect(verdicts(admissions)).toEqual({ admitted: 7, rate: 43 });
    now += 1;
    expect((await store.admit(call({ plan: { ...generous, rateLimitPerSecond: 7 } }))).refusedBy).toBeNull();
  });

  it('P10: 40 parallel calls from four keys of one workspace against its rate of 9 per second admit exactly 9; another workspace is untouched', async () => {
    const plan = { ...generous, workspaceRequestsPerSecond: 9 };
    const keys = ['key-a', 'key-b', 'key-c', 'key-d'];
    const admissions = await Promise.all(keys.map((keyId) => admitMany(10, call({ plan, keyId }))));
    expect(verdicts(admissions.flat())).toEqual({ admitted: 9, workspace_rate: 31 });
    const refused = admissions.flat().find((admission) => admission.refusedBy === 'workspace_rate');
    expect(refused && rateLimitHeaders(refused)).toEqual({ 'RateLimit-Limit': '9', 'RateLimit-Remaining': '0', 'RateLimit-Reset': '1', 'Retry-After': '1' });
    expect((await store.admit(call({ plan, workspaceId: 'ws-b', keyId: 'key-e' }))).refusedBy).toBeNull();
    now += 1;
    expect((await store.admit(call({ plan }))).refusedBy).toBeNull();
  });

  it('P10: 20 parallel calls against 3 in flight admit exactly 3; a released slot admits one more; another workspace is untouched', async () => {
    const plan = { ...generous, maxInFlight: 3 };
    const admissions = await admitMany(20, call({ plan }));
    expect(verdicts(admissions)).toEqual({ admitted: 3, in_flight: 17 });
    const refused = admissions.find((admission) => admission.refusedBy === 'in_flight');
    expect(refused && rateLimitHeaders(refused)).toMatchObject({ 'RateLimit-Limit': '3', 'RateLimit-Remaining': '0', 'Retry-After': '1' });
    expect(await store.unitsThisMonth('ws-a')).toBe(3);
    expect((await store.admit(call({ plan, workspaceId: 'ws-b' }))).refusedBy).toBeNull();

    const held = admissions.filter((admission) => admission.ticket).map(ticketOf);
    await store.release(held[0]);
    await store.release(held[0]);
    expect(verdicts(await admitMany(5, call({ plan })))).toEqual({ admitted: 1, in_flight: 4 });
  });

  it('P10: a slot nobody gives back (a crashed gateway) comes back when its lease expires, and the set itself expires', async () => {
    const plan = { ...generous, maxInFlight: 2 };
    const [first] = await admitMany(2, call({ plan }));
    expect((await store.admit(call({ plan }))).refusedBy).toBe('in_flight');
    expect(await redis.pttl(ticketOf(first).inFlightKey)).toBeGreaterThan(LEASE_MS - 5_000);
    now += LEASE_MS / 1000 - 1;
    expect((await store.admit(call({ plan }))).refusedBy).toBe('in_flight');
    now += 2;
    expect(verdicts(await admitMany(4, call({ plan })))).toEqual({ admitted: 2, in_flight: 2 });
  });

  it('P10: 30 parallel calls against a daily limit of 5 admit exactly 5, and the next UTC day starts afresh', async () => {
    const admissions = await admitMany(30, call({ dailyLimit: 5 }));
    expect(verdicts(admissions)).toEqual({ admitted: 5, daily: 25 });
    now += secondsToNextUtcDay(now);
    expect((await store.admit(call({ dailyLimit: 5 }))).refusedBy).toBeNull();
  });

  it('P10: 40 parallel calls from two keys against a monthly quota of 12 admit exactly 12, and the next UTC month starts afresh', async () => {
    const plan = { ...generous, monthlyUnitQuota: 12 };
    const admissions = await Promise.all([admitMany(20, call({ plan })), admitMany(20, call({ plan, keyId: 'key-b' }))]);
    expect(verdicts(admissions.flat())).toEqual({ admitted: 12, quota: 28 });
    expect(await store.unitsThisMonth('ws-a')).toBe(12);
    now = BEFORE_MONTH_END + 2; // 2024-04-01T00:00:00Z
    expect(await store.unitsThisMonth('ws-a')).toBe(0);
    expect((await store.admit(call({ plan }))).refusedBy).toBeNull();
  });

  it('P10: the spend cap refuses the call that would take spend above it, rounding each month up to a cent', async () => {
    // 300 cents per 1000 units: ceil(n * 0.3) cents; a cap of 2 cents allows 6 units (1.8 -> 2), not 7 (2.1 -> 3).
    const plan = { ...generous, centsPerThousandUnits: 300 };
    const admissions = await admitMany(10, call({ plan, monthlySpendCapCents: 2 }));
    expect(verdicts(admissions)).toEqual({ admitted: 6, spend_cap: 4 });
    expect(await store.spendThisMonthCents('ws-a', plan)).toBe(2);
    // A cap of zero on a priced plan refuses the first unit; no cap (null) refuses nothing.
    expect((await store.admit(call({ plan, workspaceId: 'ws-b', monthlySpendCapCents: 0 }))).refusedBy).toBe('spend_cap');
    expect((await store.admit(call({ plan, monthlySpendCapCents: null }))).refusedBy).toBeNull();
  });

  it('P10: outside a cluster the counters keep the names they have always had, so a deploy never restarts a month of units or a day of calls', async () => {
    await store.admit(call({ dailyLimit: 10 }));
    const names = (await redis.keys(`${prefix}:*`)).map((key) => key.slice(prefix.length + 1).replace(/:\d+$/, ':<n>')).sort();
    expect(names).toEqual(['daily:key-a:<n>', 'in-flight:ws-a', 'rate:key-a:<n>', 'units:ws-a:<n>', 'workspace-rate:ws-a:<n>']);
    expect(limitsStoreOptions('bull')).toEqual({ prefix: 'bull:limits', workspaceTags: false });
    expect(limitsStoreOptions('{nomosly}')).toEqual({ prefix: 'nomosly:limits', workspaceTags: true });
  });

  it('P10: a refusal increments nothing, and checks run in order rate, workspace rate, in flight, daily, quota, spend cap', async () => {
    const plan = withWorkspaceDefaults({ rateLimitPerSecond: 2, monthlyUnitQuota: 3, centsPerThousandUnits: 1000 });
    const limited = call({ plan, dailyLimit: 10, monthlySpendCapCents: 100 });
    await admitMany(2, limited);
    const snapshot = async () =>
      Promise.all(
        (await redis.keys(`${prefix}:*`))
          .sort()
          .map(async (key) => [key, (await redis.type(key)) === 'zset' ? await redis.zrange(key, 0, -1, 'WITHSCORES') : await redis.get(key)]),
      );
    const before = await snapshot();
    expect((await store.admit(limited)).refusedBy).toBe('rate');
    const otherKey = { ...limited, keyId: 'key-b' };
    expect((await store.admit({ ...otherKey, plan: { ...plan, workspaceRequestsPerSecond: 2 } })).refusedBy).toBe('workspace_rate');
    expect((await store.admit({ ...otherKey, plan: { ...plan, maxInFlight: 2 } })).refusedBy).toBe('in_flight');
    expect(await snapshot()).toEqual(before);

    now += 1;
    expect((await store.admit(call({ ...limited, dailyLimit: 2 }))).refusedBy).toBe('daily');
    expect((await store.admit(call({ ...limited, units: 2 }))).refusedBy).toBe('quota');
    expect((await store.admit(call({ ...limited, monthlySpendCapCents: 2 }))).refusedBy).toBe('spend_cap');
    expect(await snapshot()).toEqual(before);
    expect(await store.unitsThisMonth('ws-a')).toBe(2);
  });

  it('P10: a refund gives the units back to the month they were taken from, never below zero', async () => {
    const plan = { ...generous, monthlyUnitQuota: 3 };
    const first = await store.admit(call({ plan, units: 2 }));
    expect(await store.unitsThisMonth('ws-a')).toBe(2);
    await store.refund(ticketOf(first));
    expect(await store.unitsThisMonth('ws-a')).toBe(0);
    await store.refund(ticketOf(first));
    expect(await store.unitsThisMonth('ws-a')).toBe(0);
    expect(verdicts(await admitMany(5, call({ plan })))).toEqual({ admitted: 3, quota: 2 });

    // Taken on the last second of March, refunded in April: March gets it back, April is untouched.
    now = BEFORE_MONTH_END + 1;
    const march = await store.admit(call({ plan: generous, workspaceId: 'ws-c' }));
    now += 1;
    await store.admit(call({ plan: generous, workspaceId: 'ws-c' }));
    await store.refund(ticketOf(march));
    expect(await store.unitsThisMonth('ws-c')).toBe(1);
    expect(ticketOf(march).unitsKey).toMatch(/:202403$/);
  });

  it('P10: headers report the policy closest to refusing, with resets to the next second, UTC day and month', async () => {
    const plan = withWorkspaceDefaults({ rateLimitPerSecond: 10, monthlyUnitQuota: 100, centsPerThousandUnits: 0 });
    const admitted = await store.admit(call({ plan, dailyLimit: 4 }));
    expect(rateLimitHeaders(admitted)).toEqual({ 'RateLimit-Limit': '4', 'RateLimit-Remaining': '3', 'RateLimit-Reset': String(secondsToNextUtcDay(now)) });
    expect(rateLimitHeaders(await store.admit(call({ plan, keyId: 'key-b' })))).toEqual({
      'RateLimit-Limit': '10',
      'RateLimit-Remaining': '9',
      'RateLimit-Reset': '1',
    });
    const quota = await store.admit(call({ plan, units: 99 }));
    expect(quota.refusedBy).toBe('quota');
    expect(rateLimitHeaders(quota)).toMatchObject({ 'RateLimit-Remaining': '98', 'Retry-After': String(secondsToNextUtcMonth(now)) });
    const capped = await store.admit(call({ plan: { ...plan, centsPerThousandUnits: 1000 }, workspaceId: 'ws-b', monthlySpendCapCents: 0 }));
    expect(capped.refusedBy).toBe('spend_cap');
    expect(rateLimitHeaders(capped)).not.toHaveProperty('Retry-After');
    expect(rateLimitHeaders(capped)).toHaveProperty('RateLimit-Limit');
  });

  it('counts in Redis TIME when no clock is given, in the month the JS calendar names', async () => {
    const live = new LimitsStore(redis, { prefix });
    const admission = await live.admit(call());
    const [redisSeconds] = await redis.time();
    expect(Math.abs(admission.now - Number(redisSeconds))).toBeLessThanOrEqual(1);
    expect(ticketOf(admission).unitsKey.endsWith(`:${utcMonthTagOf(admission.now)}`)).toBe(true);
    expect(await live.unitsThisMonth('ws-a')).toBe(1);
  });
});
