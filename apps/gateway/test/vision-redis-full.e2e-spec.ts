import { randomBytes } from 'node:crypto';
import Redis from 'ioredis';
import sharp from 'sharp';
import { type RedisServer, type TestSystem, startRedisServer, startTestSystem, until } from '@nomosly/testing';
import { QueueName } from '@nomosly/contracts';
import { callApi } from './helpers';

/** What the vision Redis in docker-compose.yml and `npm start` runs with: a memory cap, and never an eviction. */
const NOEVICTION = 'noeviction';
/** Room for a few waiting images above what the server uses (a write also takes its size in the input buffer). */
const HEADROOM_BYTES = 12 * 1024 * 1024;

/**
 * Issue 10 (4): images wait in the vision Redis up to the deadline. When it is full, the next call is refused
 * with 503 `unavailable` and Retry-After (never a 500), and no image of a call already waiting is evicted.
 * A redis-server of the test's own: the shared one's configuration is never changed.
 */
describe('gateway: a full vision Redis', () => {
  let visionRedis: RedisServer;
  let redis: Redis;
  let system: TestSystem;

  beforeAll(async () => {
    visionRedis = await startRedisServer();
    redis = new Redis(visionRedis.url);
    await redis.config('SET', 'maxmemory-policy', NOEVICTION);
    const vision = { VISION_REDIS_URL: visionRedis.url };
    // One worker that takes one job and holds it: every later call waits in the queue, its image in Redis.
    system = await startTestSystem({
      label: 'vision-full',
      engine: 'null',
      deadlineMs: 30_000,
      gatewayEnv: vision,
      workerEnv: { ...vision, NULL_ENGINE_DELAY_MS: '60000', VISION_CONCURRENCY: '1' },
    });
  }, 180_000);
  afterAll(async () => {
    redis?.disconnect();
    await system?.stop();
    await visionRedis?.stop();
  });

  const imageKeys = async () => (await redis.keys(`${system.prefix}:vision-image:*`)).sort();

  it('answers 503 unavailable with Retry-After when it is full, and evicts no waiting image', async () => {
    // About 1.9 MB of noise that PNG cannot compress.
    const image = await sharp(randomBytes(800 * 800 * 3), { raw: { width: 800, height: 800, channels: 3 } }).png().toBuffer();
    const used = Number(/used_memory:(\d+)/.exec(await redis.info('memory'))?.[1]);
    await redis.config('SET', 'maxmemory', String(used + HEADROOM_BYTES));

    const hangUp = new AbortController();
    const send = () => callApi(system, '/v1/faces/detect', 'raw', { image }, { signal: hangUp.signal });
    const pending: Array<Promise<unknown>> = [];
    let refused: Awaited<ReturnType<typeof callApi>> | null = null;
    const waiting: string[] = [];
    try {
      // The first call is taken by the worker (which reads its image out of Redis); the next ones wait.
      pending.push(send().catch(() => undefined));
      await until(async () => (await redis.llen(`${system.prefix}:${QueueName.Vision}:active`)) > 0, { what: 'the worker holding a job' });
      for (let i = 0; i < 20 && !refused; i++) {
        const before = new Set(await imageKeys());
        const call = send();
        let stored: string | undefined;
        const answered = await Promise.race([
          call,
          until(async () => (stored = (await imageKeys()).find((key) => !before.has(key))) !== undefined, {
            what: 'the call waiting with its image stored',
            timeoutMs: 10_000,
            intervalMs: 20,
          }).then(() => null),
        ]);
        if (answered) refused = answered;
        else if (stored) {
          pending.push(call.catch(() => undefined));
          waiting.push(stored);
        }
      }
      // Every image of a call still waiting is there, byte for byte as long as it was stored.
      expect(await imageKeys()).toEqual([...waiting].sort());
      if (!refused) throw new Error('the vision Redis never filled up');
      expect(refused.status).toBe(503);
      expect((refused.body.error as { code: string }).code).toBe('unavailable');
      expect(refused.headers.get('retry-after')).toMatch(/^\d+$/);
      // And so are the next ones, while the waiting calls keep their images.
      for (let i = 0; i < 3; i++) expect((await send()).status).toBe(503);
      expect(waiting.length).toBeGreaterThanOrEqual(2);
      for (const key of waiting) expect(await redis.strlen(key)).toBe(image.length);
      expect(await redis.config('GET', 'maxmemory-policy')).toEqual(['maxmemory-policy', NOEVICTION]);
      expect((await fetch(`${system.gateway.url}/healthz`)).status).toBe(200);
      expect(system.gateway.logs()).toMatch(/vision queue unavailable: OOM/);
    } finally {
      hangUp.abort();
      await Promise.all(pending);
    }
    // The waiting calls' clients hung up: their jobs and images are gone.
    await until(async () => (await imageKeys()).length === 0, { what: 'the hung-up calls\' images removed' });
  }, 120_000);
});
