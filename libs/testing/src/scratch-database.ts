import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { Client } from 'pg';
import { REPO_ROOT } from './paths';
import { TEST_DATABASE_URL } from './services';

export interface ScratchDatabase {
  /** The URL of a database nothing else uses, migrated as `db:migrate` migrates. */
  readonly url: string;
  /** Drops it (and ends any connection still open to it). */
  drop(): Promise<void>;
}

/**
 * A database of a test's own on the test server, migrated with the project's migrate target (built): for a test
 * that sweeps or alters whole tables, which would disturb the suites sharing TEST_DATABASE_URL.
 */
export async function createScratchDatabase(label: string): Promise<ScratchDatabase> {
  const base = new URL(TEST_DATABASE_URL);
  const name = `${base.pathname.slice(1)}_${label}_${process.pid}_${Math.random().toString(36).slice(2, 8)}`.replace(/[^A-Za-z0-9_]/g, '_');
  const url = new URL(TEST_DATABASE_URL);
  url.pathname = `/${name}`;
  const migrate = spawnSync(process.execPath, [path.join(REPO_ROOT, 'dist/libs/db/src/bin/migrate.js')], {
    env: { ...process.env, DATABASE_URL: url.toString() },
    encoding: 'utf8',
  });
  if (migrate.status !== 0) throw new Error(`scratch database migration failed: ${migrate.stderr || migrate.stdout}`);
  return {
    url: url.toString(),
    drop: async () => {
      const admin = new URL(TEST_DATABASE_URL);
      admin.pathname = '/postgres';
      const client = new Client({ connectionString: admin.toString() });
      await client.connect();
      try {
        await client.query(`drop database if exists "${name}" with (force)`);
      } finally {
        await client.end();
      }
    },
  };
}
