import { randomBytes } from 'node:crypto';
import sharp from 'sharp';
import { type RunningApp, type TestSystem, startApp, startTestSystem } from '@nomosly/testing';
import { metricValue } from './helpers';
import { type RawResponse, rawRequest } from './raw-http';

const BUDGET = 5;
const BUDGET_ENV = { KEY_LOOKUP_FAILURES_PER_IP: String(BUDGET), KEY_LOOKUP_FAILURE_WINDOW_SECONDS: '60' };
const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const randomKey = () => `nk_live_${[...randomBytes(32)].map((byte) => BASE62[byte % 62]).join('')}`;

describe('gateway: a flood of unknown keys is cheap to refuse (API.md: 401 unauthenticated, then 429 rate_limited with Retry-After) and never pushes out valid keys', () => {
  let system: TestSystem;
  /**
   * A second replica on the same events Redis, behind a trusted load balancer (127.0.0.4). A client calling it
   * from any other address (127.0.0.1, as the first test does) is judged by its socket, as on the first replica.
   */
  let replica: RunningApp;
  let image: Buffer;
  beforeAll(async () => {
    system = await startTestSystem({ label: 'key-flood', engine: 'null', gatewayEnv: BUDGET_ENV });
    replica = await startApp('gateway', { ...system.env, ...BUDGET_ENV, TRUST_PROXY: '127.0.0.4' });
    image = await sharp({ create: { width: 96, height: 96, channels: 3, background: '#7a9' } }).png().toBuffer();
  }, 180_000);
  afterAll(async () => {
    await replica?.stop();
    await system?.stop();
  });

  const call = (gateway: RunningApp, key: string, localAddress = '127.0.0.1', forwardedFor?: string): Promise<RawResponse> =>
    rawRequest(
      gateway.port,
      'POST /v1/labels/detect HTTP/1.1',
      { authorization: `Bearer ${key}`, 'content-type': 'image/png', ...(forwardedFor ? { 'x-forwarded-for': forwardedFor } : {}) },
      image,
      { localAddress },
    );
  const databaseLookups = (gateway: RunningApp) => metricValue(gateway.url, 'api_key_lookups_total', { source: 'database' });
  const codeOf = (answer: RawResponse) => (JSON.parse(answer.body) as { error?: { code: string } }).error?.code;

  it('answers 429 with Retry-After past a client\'s budget of failed lookups, without a query, on every replica', async () => {
    expect((await call(system.gateway, system.key)).status).toBe(200);
    const before = await databaseLookups(system.gateway);

    const unknown = Array.from({ length: BUDGET }, randomKey);
    for (const key of unknown) {
      const answer = await call(system.gateway, key);
      expect([answer.status, codeOf(answer)]).toEqual([401, 'unauthenticated']);
    }
    expect(await databaseLookups(system.gateway)).toBe(before + BUDGET);

    const flood = await Promise.all(Array.from({ length: 50 }, () => call(system.gateway, randomKey())));
    for (const answer of flood) {
      expect([answer.status, codeOf(answer)]).toEqual([429, 'rate_limited']);
      expect(Number(answer.headers['retry-after'])).toBeGreaterThan(0);
      expect(Number(answer.headers['retry-after'])).toBeLessThanOrEqual(60);
    }
    expect(await databaseLookups(system.gateway)).toBe(before + BUDGET);

    // What the caches know is answered as before: the valid key, and an unknown key already looked up.
    expect((await call(system.gateway, system.key)).status).toBe(200);
    expect((await call(system.gateway, unknown[0])).status).toBe(401);
    // Another client is not refused for this one's failures.
    expect((await call(system.gateway, randomKey(), '127.0.0.2')).status).toBe(401);

    // The budget lives on the events Redis: another replica refuses the same client before any query too.
    const replicaLookups = await databaseLookups(replica);
    const answer = await call(replica, randomKey());
    expect([answer.status, codeOf(answer)]).toEqual([429, 'rate_limited']);
    expect(await databaseLookups(replica)).toBe(replicaLookups);
  }, 60_000);

  it('believes X-Forwarded-For only from the proxies TRUST_PROXY names: a client cannot buy a fresh budget by naming another address', async () => {
    // No proxy trusted (the default): whatever address the client claims, its budget is its socket's.
    for (let attempt = 0; attempt < BUDGET; attempt++) {
      expect((await call(system.gateway, randomKey(), '127.0.0.3', `198.51.100.${attempt}`)).status).toBe(401);
    }
    const spoofed = await call(system.gateway, randomKey(), '127.0.0.3', '198.51.100.200');
    expect([spoofed.status, codeOf(spoofed)]).toEqual([429, 'rate_limited']);

    // Behind a trusted load balancer (127.0.0.4), each client it names has a budget of its own.
    for (let attempt = 0; attempt < BUDGET; attempt++) {
      expect((await call(replica, randomKey(), '127.0.0.4', '203.0.113.7')).status).toBe(401);
    }
    expect((await call(replica, randomKey(), '127.0.0.4', '203.0.113.7')).status).toBe(429);
    expect((await call(replica, randomKey(), '127.0.0.4', '203.0.113.8')).status).toBe(401);
    // A peer that is not the trusted proxy is judged by its own address, whatever it forwards.
    expect((await call(replica, randomKey(), '127.0.0.3', '203.0.113.9')).status).toBe(429);
  }, 60_000);
});
