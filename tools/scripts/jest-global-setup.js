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
  // The test Redis plays the vision Redis: configured as production runs it (docker-compose.yml), without
  // a slow log, which would keep the first bytes of a slow command's arguments.
  const redisUrl = new URL(process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379');
  spawnSync('redis-cli', ['-h', redisUrl.hostname, '-p', redisUrl.port || '6379', 'CONFIG', 'SET', 'slowlog-log-slower-than', '-1'], {
    stdio: 'ignore',
  });
  spawnSync('redis-cli', ['-h', redisUrl.hostname, '-p', redisUrl.port || '6379', 'SLOWLOG', 'RESET'], { stdio: 'ignore' });
};
