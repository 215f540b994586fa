import type { Client } from 'pg';
import { API_KEY_COLUMNS } from '@nomosly/db';
import { type AuditLine, fail, pass } from './audit-line';

/** P3: `api_keys` holds the documented metadata and the hash, nothing else (a secret or a hint of it, say). */
export async function checkApiKeyColumns(db: Client): Promise<AuditLine[]> {
  const { rows } = await db.query<{ column_name: string }>(
    `select column_name from information_schema.columns where table_schema = current_schema() and table_name = 'api_keys' order by ordinal_position`,
  );
  if (rows.length === 0) return [fail('P3', 'there is no api_keys table in the current schema: is DATABASE_URL the deployment\'s database, migrated?')];
  const extra = rows.map((row) => row.column_name).filter((column) => !(API_KEY_COLUMNS as readonly string[]).includes(column));
  if (extra.length) return [fail('P3', `api_keys has columns beyond the documented metadata: ${extra.join(', ')}`)];
  return [pass('P3', `api_keys has only the documented columns (${rows.length}: metadata and the SHA-256 hash)`)];
}
