// Before any spec: dist/ is current (end-to-end specs run the built apps) and the test database is migrated.
const { spawnSync } = require('node:child_process');
const path = require('node:path');

module.exports = async function globalSetup() {
  const root = path.resolve(__dirname, '../..');
  const { buildIfStale } = await import('./lib/build-state.mjs');
  await buildIfStale(root);
  const databaseUrl = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/nomosly_test';
  const migrate = spawnSync(process.execPath, [path.join(root, 'dist/libs/db/src/bin/migrate.js')], {
    env: { ...process.env, DATABASE_URL: databaseUrl },
    encoding: 'utf8',
  });
  if (migrate.status !== 0) throw new Error(`test database migration failed: ${migrate.stderr || migrate.stdout}`);
  // The test Redis plays the vision Redis, which the gateway and the worker refuse to start against unless it keeps
  // nothing (P1): checked here, never set, so that a run against a Redis that could keep image bytes fails at once.
  await assertTestRedisKeepsNothing(root, process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379');
};

async function assertTestRedisKeepsNothing(root, url) {
  const { default: Redis } = require('ioredis');
  const { inspectVisionRedisSettings } = require(path.join(root, 'dist/libs/observability/src/vision-redis-settings.js'));
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1, retryStrategy: () => null });
  redis.on('error', () => undefined);
  let settings;
  try {
    await redis.connect();
    settings = await inspectVisionRedisSettings(redis);
  } catch (error) {
    throw new Error(`the test Redis at ${url} does not answer (${error.message}): run the tests with npm test, which starts one`);
  } finally {
    redis.disconnect();
  }
  const problems = settings.checked ? settings.problems : [`its settings could not be read: ${settings.reason}`];
  if (problems.length > 0) {
    throw new Error(
      `the test Redis at ${url} plays the vision Redis and must keep nothing (P1): ${problems.join('; ')}. ` +
        'Run the tests with npm test (it starts a Redis of its own that keeps nothing), or point TEST_REDIS_URL at one.',
    );
  }
}
