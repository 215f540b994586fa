import type { Socket } from 'node:net';
import Redis from 'ioredis';
import { uniquePrefix } from '@nomosly/testing';
import { coalesceWrites } from './coalesced-writes';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** Counts the writes the client's socket hands to the system (one per `_write` or `_writev`). */
function countWrites(client: Redis): { count: number } {
  const socket = client.stream as Socket & { _write: (...args: unknown[]) => void; _writev: (...args: unknown[]) => void };
  const counter = { count: 0 };
  const write = socket._write.bind(socket);
  const writev = socket._writev.bind(socket);
  socket._write = (...args) => {
    counter.count++;
    write(...args);
  };
  socket._writev = (...args) => {
    counter.count++;
    writev(...args);
  };
  return counter;
}

describe('coalesceWrites against the real Redis', () => {
  let client: Redis;
  let prefix: string;

  beforeEach(async () => {
    client = coalesceWrites(new Redis(REDIS_URL, { enableOfflineQueue: false, maxRetriesPerRequest: 1 }));
    await new Promise((resolve) => client.once('ready', resolve));
    prefix = uniquePrefix('coalesce');
  });
  afterEach(async () => {
    client.disconnect();
    const admin = new Redis(REDIS_URL);
    const keys = await admin.keys(`${prefix}:*`);
    if (keys.length) await admin.del(...keys);
    await admin.quit();
  });

  it('sends the commands of one event-loop turn in one write, each with its own answer, in order', async () => {
    const writes = countWrites(client);
    const answers = await Promise.all([
      client.set(`${prefix}:a`, 'one'),
      client.incr(`${prefix}:n`),
      client.get(`${prefix}:a`),
      client.incr(`${prefix}:n`),
      client.set(`${prefix}:b`, Buffer.from([0, 1, 2, 255])),
      client.getBuffer(`${prefix}:b`),
    ]);
    expect(writes.count).toBe(1);
    expect(answers).toEqual(['OK', 1, 'one', 2, 'OK', Buffer.from([0, 1, 2, 255])]);
  });

  it('sends commands of different turns in writes of their own, as soon as each turn ends', async () => {
    const writes = countWrites(client);
    for (let n = 1; n <= 3; n++) expect(await client.incr(`${prefix}:n`)).toBe(n);
    expect(writes.count).toBe(3);
  });

  it('runs scripts as before, their load on first use included', async () => {
    client.defineCommand('twice', { numberOfKeys: 1, lua: "return redis.call('incrby', KEYS[1], 2)" });
    const scripted = client as Redis & { twice(key: string): Promise<number> };
    expect(await Promise.all([scripted.twice(`${prefix}:s`), scripted.twice(`${prefix}:s`)])).toEqual([2, 4]);
    expect(await scripted.twice(`${prefix}:s`)).toBe(6);
  });

  it('refuses a command at once while the connection is down, as a client without an offline queue does', async () => {
    client.disconnect();
    await expect(client.get(`${prefix}:a`)).rejects.toThrow();
  });
});
