import Redis from 'ioredis';
import { Client } from 'pg';

/**
 * Every key of a Redis server with its whole content, as bytes: strings, hashes, lists, sets, sorted sets and
 * streams. Used to prove that nothing of an image or a result stayed behind (P1, P5).
 */
export async function dumpRedis(url: string): Promise<Buffer> {
  const redis = new Redis(url, { maxRetriesPerRequest: 2 });
  const parts: Buffer[] = [];
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scanBuffer(cursor, 'COUNT', 1000);
      cursor = next.toString();
      for (const key of keys) {
        parts.push(key);
        const type = await redis.type(key);
        if (type === 'string') parts.push((await redis.getBuffer(key)) ?? Buffer.alloc(0));
        else if (type === 'hash') parts.push(...flatten(await redis.hgetallBuffer(key)));
        else if (type === 'list') parts.push(...(await redis.lrangeBuffer(key, 0, -1)));
        else if (type === 'set') parts.push(...(await redis.smembersBuffer(key)));
        else if (type === 'zset') parts.push(...(await redis.zrangeBuffer(key, 0, -1)));
        else if (type === 'stream') {
          const entries = (await redis.xrangeBuffer(key, '-', '+')) as unknown as Array<[Buffer, Buffer[]]>;
          for (const [id, fields] of entries) parts.push(id, ...fields);
        }
      }
    } while (cursor !== '0');
    // The slow log keeps the first bytes of slow commands' arguments: it is a store too.
    parts.push(Buffer.from(JSON.stringify(await redis.call('SLOWLOG', 'GET', '1000'))));
  } finally {
    redis.disconnect();
  }
  return Buffer.concat(parts);
}

function flatten(hash: Record<string, Buffer>): Buffer[] {
  return Object.entries(hash).flatMap(([field, value]) => [Buffer.from(field), value]);
}

/** Every row of every table of the public schema, as text. */
export async function dumpPostgres(url: string): Promise<string> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    const tables = await client.query<{ tablename: string }>("select tablename from pg_tables where schemaname = 'public'");
    const out: string[] = [];
    for (const { tablename } of tables.rows) {
      const rows = await client.query<{ row: string }>(`select t::text as row from "${tablename}" t`);
      out.push(`# ${tablename}`, ...rows.rows.map((r) => r.row));
    }
    return out.join('\n');
  } finally {
    await client.end();
  }
}

/** True when the haystack contains the marker as raw bytes, as base64, or as base64 at any of the 3 alignments. */
export function containsMarker(haystack: Buffer | string, marker: Buffer): boolean {
  const bytes = typeof haystack === 'string' ? Buffer.from(haystack, 'utf8') : haystack;
  if (bytes.includes(marker)) return true;
  // base64 of the marker depends on its offset modulo 3 inside the encoded data: check all three alignments.
  for (let shift = 0; shift < 3; shift++) {
    const encoded = Buffer.concat([Buffer.alloc(shift), marker]).toString('base64');
    const stable = encoded.slice(Math.ceil((shift * 4) / 3) + 1, -4);
    if (stable.length >= 8 && bytes.includes(Buffer.from(stable))) return true;
  }
  return false;
}
