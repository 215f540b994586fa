import Redis from 'ioredis';
import { ErrorCode } from '@nomosly/contracts';
import { gatewayConfigSchema } from '../config';
import type { EventsRedis } from '../events/events-redis';
import { GatewayMetrics } from '../metrics';
import { KeyLookupBudget } from './key-lookup-budget';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const BUDGET = 3;

describe('KeyLookupBudget against the real Redis', () => {
  let redis: Redis;
  let prefix: string;
  let budget: KeyLookupBudget;
  let serial = 0;

  beforeAll(() => {
    redis = new Redis(REDIS_URL);
  });
  afterAll(() => redis.quit());
  beforeEach(() => {
    prefix = `t-key-budget-${process.pid}-${Date.now()}-${serial++}`;
    const config = gatewayConfigSchema.parse({
      QUEUE_PREFIX: prefix,
      KEY_LOOKUP_FAILURES_PER_IP: String(BUDGET),
      KEY_LOOKUP_FAILURE_WINDOW_SECONDS: '60',
    });
    budget = new KeyLookupBudget({ client: redis } as EventsRedis, config, new GatewayMetrics());
  });
  afterEach(async () => {
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length) await redis.del(...keys);
  });

  it('only reads when it lets a lookup go ahead: checks alone never spend the budget', async () => {
    for (let n = 0; n < 10 * BUDGET; n++) await budget.check('203.0.113.7');
    expect(await redis.keys(`${prefix}:*`)).toEqual([]);
  });

  it('refuses with 429 and Retry-After once the address has as many failures as its budget, its /64 sharing it', async () => {
    for (let n = 0; n < BUDGET - 1; n++) await budget.charge('2001:db8:0:1::1');
    await budget.check('2001:db8:0:1::2');
    await budget.charge('2001:db8:0:1::3');
    const refused = await budget.check('2001:db8:0:1::4').catch((error: unknown) => error);
    expect(refused).toMatchObject({ code: ErrorCode.RateLimited });
    const retryAfter = Number((refused as { headers: Record<string, string> }).headers['retry-after']);
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(60);
    // Another client is not refused for this one's failures.
    await budget.check('2001:db8:0:2::1');
  });

  it('names its counters by a hash: no client address is written to the events Redis', async () => {
    await budget.charge('203.0.113.7');
    await budget.charge('2001:db8:0:1::1');
    const keys = await redis.keys(`${prefix}:*`);
    expect(keys).toHaveLength(2);
    for (const key of keys) {
      expect(key).toMatch(new RegExp(`^${prefix}:auth:failed-key-lookups:[0-9a-f]{32}$`));
      expect(key).not.toMatch(/203\.0\.113|2001:db8/);
      expect(await redis.ttl(key)).toBeGreaterThan(0);
    }
  });
});
