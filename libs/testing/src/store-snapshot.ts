import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Redis from 'ioredis';
import { Client } from 'pg';
import { REPO_ROOT } from './paths';
import { ignoreDropped, quoteIdent, scanKeys } from './stores';

/**
 * Before/after pictures of the stores, scoped to one test so that suites running beside it cannot move them:
 * what a call left behind is whatever the second picture has that the first had not (P5: "kept nowhere").
 */

/** Each table's columns, for every schema but pg_catalog and information_schema (`schema.table` -> columns). */
export async function tableColumns(url: string): Promise<Map<string, string[]>> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ schema: string; name: string; columns: string[] }>(
      `select c.table_schema as schema, c.table_name as name, array_agg(c.column_name::text order by c.column_name) as columns
         from information_schema.columns c
         join information_schema.tables t on t.table_schema = c.table_schema and t.table_name = c.table_name
        where c.table_schema not in ('pg_catalog', 'information_schema') and t.table_type = 'BASE TABLE'
        group by c.table_schema, c.table_name`,
    );
    return new Map(rows.map((r) => [`${r.schema}.${r.name}`, r.columns]));
  } finally {
    await client.end();
  }
}

/**
 * Per table, the rows that belong to a workspace: those with its id in a `workspace_id` column, and in every
 * table those whose text holds any of `ids` (the workspace's, its user's, its key's prefix, the calls' request
 * ids), so a table with no workspace column is counted too.
 */
export async function countRowsOf(url: string, workspaceId: string, ids: string[]): Promise<Map<string, number>> {
  const columns = await tableColumns(url);
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    const patterns = ids.map((id) => `%${id.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
    const counts = new Map<string, number>();
    for (const [table, names] of columns) {
      const [schema, name] = table.split('.');
      const qualified = `${quoteIdent(schema)}.${quoteIdent(name)}`;
      const query = names.includes('workspace_id')
        ? client.query<{ n: string }>(`select count(*) as n from ${qualified} t where t.workspace_id::text = $1 or t::text like any($2)`, [
            workspaceId,
            patterns,
          ])
        : client.query<{ n: string }>(`select count(*) as n from ${qualified} t where t::text like any($1)`, [patterns]);
      const { rows } = await query.catch(ignoreDropped({ rows: [{ n: '0' }] }));
      counts.set(table, Number(rows[0].n));
    }
    return counts;
  } finally {
    await client.end();
  }
}

/** Every key name of every database, as `db<n> <key>`. */
export async function redisKeyNames(url: string): Promise<Set<string>> {
  const redis = new Redis(url, { maxRetriesPerRequest: 2 });
  const names = new Set<string>();
  try {
    for await (const { db, keys } of scanKeys(redis)) {
      for (const key of keys) names.add(`db${db} ${key.toString()}`);
    }
  } finally {
    redis.disconnect();
  }
  return names;
}

/**
 * The descriptors (128 float32) the local engine computes for a faces.compare of these two images, as a worker
 * computes them: run by tools/scripts/face-descriptors.mjs in a process of its own, on the built engine.
 */
export function faceDescriptors(source: Buffer, target: Buffer): Float32Array[] {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'nomosly-descriptors-'));
  try {
    const files = [source, target].map((bytes, i) => {
      const file = path.join(dir, `image-${i}`);
      writeFileSync(file, bytes);
      return file;
    });
    const result = spawnSync(process.execPath, [path.join(REPO_ROOT, 'tools/scripts/face-descriptors.mjs'), ...files], {
      cwd: REPO_ROOT,
      encoding: 'utf8',
      timeout: 120_000,
    });
    if (result.status !== 0) throw new Error(`face-descriptors failed (${result.status}): ${result.stderr}`);
    const lines = result.stdout.trim().split('\n');
    return (JSON.parse(lines[lines.length - 1]) as string[]).map((b64) => {
      const bytes = Buffer.from(b64, 'base64');
      return new Float32Array(bytes.buffer, bytes.byteOffset, bytes.length / 4);
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * What a store holding a descriptor would contain: its values as float32 and as float64 (little- and
 * big-endian), whole and its first 8 values alone (a truncated copy); containsMarker also tries hex and base64.
 */
export function descriptorNeedles(descriptor: Float32Array): Buffer[] {
  const encode = (values: number[], width: 4 | 8, little: boolean) => {
    const bytes = Buffer.alloc(values.length * width);
    const write = width === 4 ? (little ? bytes.writeFloatLE : bytes.writeFloatBE) : little ? bytes.writeDoubleLE : bytes.writeDoubleBE;
    values.forEach((v, i) => write.call(bytes, v, i * width));
    return bytes;
  };
  const all = Array.from(descriptor);
  return [all, all.slice(0, 8)].flatMap((values) =>
    ([4, 8] as const).flatMap((width) => [encode(values, width, true), encode(values, width, false)]),
  );
}

/** Descriptor values as text (JSON of a Float32Array's numbers), the first 4 of each: a stored copy in a text column. */
export function descriptorTexts(descriptor: Float32Array): string[] {
  return Array.from(descriptor.subarray(0, 4), (v) => String(v)).filter((text) => text.length >= 8);
}
