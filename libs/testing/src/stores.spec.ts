import { randomBytes } from 'node:crypto';
import Redis from 'ioredis';
import { Client } from 'pg';
import { TEST_DATABASE_URL, TEST_REDIS_URL } from './services';
import { containsMarker, dumpPostgres, dumpRedis, quoteIdent } from './stores';

const newMarker = () => Buffer.from(`NOMOSLY-MARKER-${randomBytes(12).toString('hex')}`);

/**
 * The store dumps the P1, P2 and P5 proofs search find a marker however it is stored, and find nothing when it
 * is not there: a dump that skipped a schema, a database or an encoding would let a broken promise pass.
 */
describe('store dumps (P1 P5: a marker is found however it is stored)', () => {
  it('P1 P5: containsMarker finds raw bytes, lower and upper hex, base64 and base64url at every alignment', () => {
    for (let shift = 0; shift < 3; shift++) {
      const marker = newMarker();
      const padded = Buffer.concat([randomBytes(shift + 5), marker, randomBytes(7)]);
      for (const text of [
        padded.toString('latin1'),
        padded.toString('hex'),
        padded.toString('hex').toUpperCase(),
        padded.toString('base64'),
        padded.toString('base64url'),
      ]) {
        expect(containsMarker(Buffer.from(text, 'latin1'), marker)).toBe(true);
      }
      expect(containsMarker(padded, newMarker())).toBe(false);
    }
  });

  describe('Postgres', () => {
    const schema = `scratch_${randomBytes(6).toString('hex')}`;
    const client = new Client({ connectionString: TEST_DATABASE_URL });
    beforeAll(() => client.connect());
    afterAll(async () => {
      await client.query(`drop schema if exists ${quoteIdent(schema)} cascade`);
      await client.end();
    });

    it('P1 P5: finds a marker in a bytea column of a table in a schema other than public (as hex), and nothing when absent', async () => {
      const marker = newMarker();
      await client.query(`create schema ${quoteIdent(schema)}`);
      await client.query(`create table ${quoteIdent(schema)}.blobs (id int primary key, data bytea not null)`);
      await client.query(`insert into ${quoteIdent(schema)}.blobs values (1, $1)`, [Buffer.concat([randomBytes(3), marker])]);
      const dump = await dumpPostgres(TEST_DATABASE_URL);
      expect(dump).toContain(`# ${quoteIdent(schema)}."blobs"`);
      // Only as hex: the raw bytes are not in the dump, so it is the hex form that finds it.
      expect(dump.includes(marker.toString('latin1'))).toBe(false);
      expect(containsMarker(dump, marker)).toBe(true);
      expect(containsMarker(dump, newMarker())).toBe(false);
    });
  });

  describe('Redis', () => {
    const redis = new Redis(TEST_REDIS_URL, { db: 3 });
    const key = (kind: string) => `t-stores-${process.pid}-${kind}-${randomBytes(4).toString('hex')}`;
    const keys: string[] = [];
    afterAll(async () => {
      if (keys.length) await redis.del(...keys);
      redis.disconnect();
    });

    async function plant(kind: string, store: (key: string) => Promise<unknown>): Promise<void> {
      const name = key(kind);
      keys.push(name);
      await store(name);
    }

    it('P1 P5: finds a marker in a hash of database 3, as base64 in a stream, as hex in a list and in a sorted set, and nothing when absent', async () => {
      const [inHash, inStream, inList, inZset] = [newMarker(), newMarker(), newMarker(), newMarker()];
      await plant('hash', (k) => redis.hset(k, 'field', inHash));
      await plant('stream', (k) => redis.xadd(k, '*', 'image', Buffer.concat([randomBytes(2), inStream]).toString('base64')));
      await plant('list', (k) => redis.rpush(k, 'first', inList.toString('hex').toUpperCase()));
      await plant('zset', (k) => redis.zadd(k, 1, inZset.toString('hex')));
      const dump = await dumpRedis(TEST_REDIS_URL);
      for (const marker of [inHash, inStream, inList, inZset]) expect(containsMarker(dump, marker)).toBe(true);
      expect(containsMarker(dump, newMarker())).toBe(false);
    });
  });
});
