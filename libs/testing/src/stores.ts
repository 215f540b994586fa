import Redis from 'ioredis';
import { Client } from 'pg';

/**
 * Every key of every database of a Redis server with its whole content, as bytes: strings, hashes, lists, sets,
 * sorted sets (members and scores) and streams; a key of any other type as its DUMP serialisation. Used to prove
 * that nothing of an image or a result stayed behind (P1, P5).
 */
export async function dumpRedis(url: string): Promise<Buffer> {
  const redis = new Redis(url, { maxRetriesPerRequest: 2 });
  const parts: Buffer[] = [];
  try {
    let current: number | null = null;
    for await (const { db, keys } of scanKeys(redis)) {
      if (db !== current) parts.push(Buffer.from(`# db${(current = db)}\n`));
      for (const key of keys) parts.push(key, ...(await redisValue(redis, key)));
    }
    // The slow log keeps the first bytes of slow commands' arguments: it is a store too.
    parts.push(Buffer.from(JSON.stringify(await redis.call('SLOWLOG', 'GET', '1000'))));
  } finally {
    redis.disconnect();
  }
  return Buffer.concat(parts);
}

/**
 * Every key of every database of a server, one SCAN batch at a time, with the batch's database selected on `redis`
 * while the caller handles it; at least one batch (perhaps empty) per database.
 */
export async function* scanKeys(redis: Redis): AsyncGenerator<{ db: number; keys: Buffer[] }> {
  for (const db of await redisDatabases(redis)) {
    await redis.select(db);
    let cursor = '0';
    do {
      const [next, keys] = await redis.scanBuffer(cursor, 'COUNT', 1000);
      cursor = next.toString();
      yield { db, keys };
    } while (cursor !== '0');
  }
}

/** The indexes of a server's databases: all that CONFIG GET databases counts, or those INFO keyspace lists. */
export async function redisDatabases(redis: Redis): Promise<number[]> {
  const listed = [...(await redis.info('keyspace')).matchAll(/^db(\d+):/gm)].map((m) => Number(m[1]));
  const config = (await redis.config('GET', 'databases').catch(() => [])) as string[];
  const count = Number(config[1] ?? 0);
  return [...new Set([0, ...Array.from({ length: count }, (_, i) => i), ...listed])].sort((a, b) => a - b);
}

async function redisValue(redis: Redis, key: Buffer): Promise<Buffer[]> {
  const type = await redis.type(key);
  if (type === 'none') return []; // expired or removed since the scan
  if (type === 'string') return [(await redis.getBuffer(key)) ?? Buffer.alloc(0)];
  if (type === 'hash') return flatten(await redis.hgetallBuffer(key));
  if (type === 'list') return redis.lrangeBuffer(key, 0, -1);
  if (type === 'set') return redis.smembersBuffer(key);
  if (type === 'zset') return redis.zrangeBuffer(key, 0, -1, 'WITHSCORES');
  if (type === 'stream') {
    const entries = (await redis.xrangeBuffer(key, '-', '+')) as unknown as Array<[Buffer, Buffer[]]>;
    return entries.flatMap(([id, fields]) => [id, ...fields]);
  }
  // Any other type (a module's): its serialisation holds its values.
  return [(await redis.dumpBuffer(key)) ?? Buffer.alloc(0)];
}

function flatten(hash: Record<string, Buffer>): Buffer[] {
  return Object.entries(hash).flatMap(([field, value]) => [Buffer.from(field), value]);
}

/**
 * Every row of every table (and materialised view) of every schema but pg_catalog and information_schema, as
 * text; bytea as Postgres prints it (hex, `\x4e4f...`), which containsMarker searches for.
 */
export async function dumpPostgres(url: string): Promise<string> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    await client.query("set bytea_output = 'hex'");
    const tables = await client.query<{ schema: string; name: string }>(
      `select schemaname as schema, tablename as name from pg_tables
        where schemaname not in ('pg_catalog', 'information_schema')
       union all
       select schemaname, matviewname from pg_matviews
        where schemaname not in ('pg_catalog', 'information_schema')`,
    );
    const out: string[] = [];
    for (const { schema, name } of tables.rows) {
      const table = `${quoteIdent(schema)}.${quoteIdent(name)}`;
      const rows = await client.query<{ row: string }>(`select t::text as row from ${table} t`).catch(ignoreDropped({ rows: [] as Array<{ row: string }> }));
      // One push per row: a spread of a large table's rows overflows the call stack.
      out.push(`# ${table}`);
      for (const { row } of rows.rows) out.push(row);
    }
    return out.join('\n');
  } finally {
    await client.end();
  }
}

/**
 * The catch of a query on a table listed a moment before: one dropped since (a scratch table of a suite running
 * beside this one) holds nothing, so the query answers `empty`; any other error is thrown.
 */
export function ignoreDropped<T>(empty: T): (error: { code?: string }) => T {
  return (error) => {
    if (error.code === '42P01' || error.code === '3F000') return empty;
    throw error;
  };
}

export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/**
 * True when the haystack contains the needle as raw bytes, as hex (lower or upper case), or as base64 or
 * base64url at any of the 3 alignments.
 */
export function containsMarker(haystack: Buffer | string, marker: Buffer): boolean {
  const bytes = typeof haystack === 'string' ? Buffer.from(haystack, 'utf8') : haystack;
  return markerForms(marker).some((form) => bytes.includes(form));
}

/** The byte sequences a stored copy of the needle contains, however it was encoded. */
export function markerForms(marker: Buffer): Buffer[] {
  const hex = marker.toString('hex');
  return [marker, Buffer.from(hex), Buffer.from(hex.toUpperCase()), ...base64Forms(marker)];
}

/** The needle's base64 and base64url forms at each of the 3 alignments (the part that does not depend on its neighbours). */
export function base64Forms(marker: Buffer): Buffer[] {
  const forms: Buffer[] = [];
  // base64 of the marker depends on its offset modulo 3 inside the encoded data: check all three alignments.
  for (let shift = 0; shift < 3; shift++) {
    const encoded = Buffer.concat([Buffer.alloc(shift), marker]).toString('base64');
    const stable = encoded.slice(Math.ceil((shift * 4) / 3) + 1, -4);
    if (stable.length < 8) continue;
    forms.push(Buffer.from(stable));
    const url = stable.replace(/\+/g, '-').replace(/\//g, '_');
    if (url !== stable) forms.push(Buffer.from(url));
  }
  return forms;
}
