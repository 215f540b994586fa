import { existsSync } from 'node:fs';
import { Queue } from 'bullmq';
import Redis from 'ioredis';
import { type RedisServer, startRedisServer } from './redis-server';

describe('startRedisServer', () => {
  let server: RedisServer;
  let client: Redis;

  beforeAll(async () => {
    server = await startRedisServer({ appendonly: true });
    // Reconnects by itself across restarts, as an app's client would.
    client = new Redis(server.url, { maxRetriesPerRequest: null, retryStrategy: () => 50 });
    client.on('error', () => undefined);
  });
  afterAll(async () => {
    client?.disconnect();
    await server?.stop();
  });

  it('runs on loopback with AOF, fsync always and no RDB snapshots, in a directory of its own', async () => {
    expect(server.url).toBe(`redis://127.0.0.1:${server.port}`);
    expect(await client.ping()).toBe('PONG');
    const config = async (name: string) => ((await client.call('CONFIG', 'GET', name)) as string[])[1];
    expect(await config('appendonly')).toBe('yes');
    expect(await config('appendfsync')).toBe('always');
    expect(await config('save')).toBe('');
    expect(await config('bind')).toBe('127.0.0.1');
    expect(await config('dir')).toBe(server.dir);
  });

  it('restart() keeps every write, on the same port', async () => {
    await client.set('restart-key', 'kept');
    const before = await runId(client);
    await server.restart();
    expect(server.isRunning()).toBe(true);
    expect(await client.get('restart-key')).toBe('kept');
    expect(await runId(client)).not.toBe(before);
  });

  it('kill() is a crash; start() brings it back with the last acknowledged write', async () => {
    await client.set('kill-key', 'acknowledged');
    await server.kill();
    expect(server.isRunning()).toBe(false);
    await server.start();
    expect(await client.get('kill-key')).toBe('acknowledged');
  });

  it('a waiting BullMQ job survives a shutdown and a start', async () => {
    const queue = new Queue('survivor', { connection: { host: '127.0.0.1', port: server.port, maxRetriesPerRequest: null }, prefix: 'p' });
    queue.on('error', () => undefined);
    try {
      await queue.add('usage.recorded', { n: 1 }, { jobId: 'usage.recorded-abc' });
      await server.shutdown();
      await server.start();
      expect(await queue.getJobCounts('waiting')).toMatchObject({ waiting: 1 });
      expect((await queue.getJob('usage.recorded-abc'))?.data).toEqual({ n: 1 });
    } finally {
      await queue.close();
    }
  });

  it('stop() ends the server and removes its directory', async () => {
    const other = await startRedisServer({ appendonly: true });
    expect(existsSync(other.dir)).toBe(true);
    await other.stop();
    expect(other.isRunning()).toBe(false);
    expect(existsSync(other.dir)).toBe(false);
  });

  it('says clearly when there is no redis-server binary', async () => {
    await expect(startRedisServer({ binary: '/nonexistent/redis-server' })).rejects.toThrow(
      /redis-server not found at \/nonexistent\/redis-server/,
    );
  });
});

async function runId(client: Redis): Promise<string> {
  return /run_id:(\w+)/.exec(await client.info('server'))?.[1] ?? '';
}
