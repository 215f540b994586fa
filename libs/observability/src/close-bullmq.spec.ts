import { Queue } from 'bullmq';
import Redis from 'ioredis';
import { TEST_REDIS_URL } from '@nomosly/testing';
import { closeWithSharedConnection } from './close-bullmq';

/**
 * A queue on a connection of the caller's, closed at every moment of its start: right away, while BullMQ's version
 * check is in flight, after it. Each is one try; some land in the window where the old order (queue, then
 * connection) left the check's failure with no listener.
 */
describe('closeWithSharedConnection', () => {
  const unhandled: Error[] = [];
  const record = (error: Error) => unhandled.push(error);
  beforeAll(() => process.on('uncaughtException', record));
  afterAll(() => process.off('uncaughtException', record));

  async function openAndClose(afterMs: number, redisUrl: string): Promise<void> {
    const connection = new Redis(redisUrl, { enableOfflineQueue: false, maxRetriesPerRequest: 1, connectionName: 'close-bullmq-spec' });
    connection.on('error', () => undefined);
    const queue = new Queue('close-bullmq-spec', { connection, prefix: 'close-bullmq-spec' });
    queue.on('error', () => undefined);
    await new Promise((resolve) => (afterMs < 0 ? setImmediate(resolve) : setTimeout(resolve, afterMs)));
    await closeWithSharedConnection(queue, connection);
  }

  it('never leaves an error for nobody, whenever the queue is closed after it was made', async () => {
    for (let attempt = 0; attempt < 120; attempt++) await openAndClose((attempt % 6) - 1, TEST_REDIS_URL);
    // Anything emitted late by a closed queue surfaces within a few turns.
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(unhandled.map((error) => error.message)).toEqual([]);
  });

  it('returns at once when the Redis was never reachable', async () => {
    await openAndClose(5, 'redis://127.0.0.1:1');
    expect(unhandled).toEqual([]);
  });
});
