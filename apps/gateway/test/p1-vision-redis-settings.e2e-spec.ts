import { type AppName, type RedisServer, TEST_DATABASE_URL, TEST_REDIS_URL, startApp, startRedisServer, uniquePrefix } from '@nomosly/testing';

const APPS: AppName[] = ['gateway', 'vision-worker'];

/** Each app's environment against a vision Redis at `url` (the worker with the null engine: no models to load). */
function envFor(name: AppName, url: string, extra: Record<string, string> = {}): Record<string, string> {
  const shared = { VISION_REDIS_URL: url, QUEUE_PREFIX: uniquePrefix('p1-settings'), ...extra };
  return name === 'gateway' ? { ...shared, DATABASE_URL: TEST_DATABASE_URL, EVENTS_REDIS_URL: TEST_REDIS_URL } : { ...shared, ENGINE: 'null' };
}

/** What the app printed when it stopped at start; fails the test if it started instead. */
async function refusalOf(name: AppName, env: Record<string, string>): Promise<string> {
  const outcome = await startApp(name, env, { waitFor: '/healthz', readyTimeoutMs: 60_000 }).then(
    async (app) => {
      await app.stop();
      return `${name} started`;
    },
    (error: Error) => error.message,
  );
  expect(outcome).toMatch(new RegExp(`^${name} exited with 1 before it was ready`));
  return outcome;
}

/**
 * P1, "the Redis that carries images keeps nothing on disk", at run time: the gateway and the vision worker read the
 * vision Redis's settings at start and refuse, in one line naming the setting, one that writes to disk or keeps a
 * slow log (which holds the arguments of slow commands, image bytes included). Each against a redis-server of the
 * test's own.
 */
describe('P1: the vision Redis is checked at start', () => {
  const servers: RedisServer[] = [];
  const server = async (options: Parameters<typeof startRedisServer>[0]) => {
    const started = await startRedisServer(options);
    servers.push(started);
    return started;
  };
  afterAll(async () => {
    await Promise.all(servers.map((s) => s.stop()));
  });

  it('P1: the gateway and the vision worker refuse to start against a vision Redis with appendonly yes, naming appendonly', async () => {
    const redis = await server({ appendonly: true });
    for (const name of APPS) {
      const refusal = await refusalOf(name, envFor(name, redis.url));
      expect(refusal).toMatch(new RegExp(`^${name} failed to start: the vision Redis must keep nothing \\(P1\\): appendonly is "yes"`, 'm'));
    }
  }, 120_000);

  it('P1: they refuse one whose slow log could keep image bytes, naming slowlog-log-slower-than', async () => {
    const redis = await server({ args: ['--slowlog-log-slower-than', '10000'] });
    for (const name of APPS) {
      const refusal = await refusalOf(name, envFor(name, redis.url));
      expect(refusal).toMatch(new RegExp(`^${name} failed to start: .*slowlog-log-slower-than is 10000`, 'm'));
    }
  }, 120_000);

  it('P1: where CONFIG is disabled they refuse unless VISION_REDIS_PERSISTENCE_CHECKED=1, which they accept and log', async () => {
    const redis = await server({ args: ['--rename-command', 'CONFIG', ''] });
    for (const name of APPS) {
      const refusal = await refusalOf(name, envFor(name, redis.url));
      expect(refusal).toMatch(new RegExp(`^${name} failed to start: .*could not be read.*set VISION_REDIS_PERSISTENCE_CHECKED=1`, 'm'));
    }
    for (const name of APPS) {
      const app = await startApp(name, envFor(name, redis.url, { VISION_REDIS_PERSISTENCE_CHECKED: '1' }));
      try {
        expect(app.logs()).toMatch(/vision Redis settings not checked: CONFIG refused .*VISION_REDIS_PERSISTENCE_CHECKED=1 says/);
      } finally {
        await app.stop();
      }
    }
  }, 180_000);
});
