import { z } from 'zod';
import { env, loadConfig } from '@nomosly/config';
import { migrate } from '../database';

/** `nx run db:migrate`: creates the database if needed and applies pending migrations. */
async function main(): Promise<void> {
  const config = loadConfig(z.object({ DATABASE_URL: env.url(['postgres', 'postgresql'], DEFAULT_DATABASE_URL) }));
  const applied = await migrate(config.DATABASE_URL);
  console.log(applied.length ? `migrations applied: ${applied.join(', ')}` : 'migrations: database is up to date');
}

const DEFAULT_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/nomosly';

main().catch((error: Error) => {
  console.error(`migrate failed: ${error.message}`);
  process.exit(1);
});
