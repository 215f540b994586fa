import { spawnSync } from 'node:child_process';
import path from 'node:path';
import Redis from 'ioredis';
import { freePort } from '@nomosly/testing';

const prerequisites = path.resolve(__dirname, '../scripts/lib/prerequisites.mjs');

/**
 * `npm start` starts a vision Redis of its own (never reconfiguring the machine's shared one): no persistence,
 * capped memory and noeviction, so a full one refuses new calls (the gateway answers 503) instead of evicting an
 * image a call waits on. Started here on a free port through the same function, then shut down.
 */
describe('npm start: the vision Redis it starts', () => {
  it('runs with maxmemory and the noeviction policy, without persistence', async () => {
    const port = await freePort();
    const url = `redis://127.0.0.1:${port}`;
    const script = `import { ensureRedis, visionRedisMemoryArgs } from ${JSON.stringify(prerequisites)};
await ensureRedis(${JSON.stringify(url)}, { args: visionRedisMemoryArgs('16mb') });`;
    const started = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 30_000 });
    // Whatever the expectations below say, a Redis the script started is shut down.
    const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1, retryStrategy: () => null });
    redis.on('error', () => undefined);
    try {
      expect(started.stderr).toMatch(/starting Redis on port/);
      expect(started.status).toBe(0);
      const setting = async (name: string) => ((await redis.config('GET', name)) as string[])[1];
      expect(await setting('maxmemory-policy')).toBe('noeviction');
      expect(await setting('maxmemory')).toBe(String(16 * 1024 * 1024));
      expect(await setting('appendonly')).toBe('no');
      expect(await setting('save')).toBe('');
    } finally {
      await redis.call('SHUTDOWN', 'NOSAVE').catch(() => undefined);
      redis.disconnect();
    }
  });
});
