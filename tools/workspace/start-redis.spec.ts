import { spawnSync } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import Redis from 'ioredis';

const prerequisites = path.resolve(__dirname, '../scripts/lib/prerequisites.mjs');

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

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
    expect(started.stderr).toMatch(/starting Redis on port/);
    expect(started.status).toBe(0);
    const redis = new Redis(url);
    try {
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
