import 'reflect-metadata';
import { ConfigError } from '@nomosly/config';
import { createUsageApp } from './bootstrap';
import { loadUsageConfig } from './config';

async function main(): Promise<void> {
  const config = loadUsageConfig();
  const app = await createUsageApp(config);
  await app.listen({ port: config.PORT, host: config.HOST });
}

main().catch((error: unknown) => {
  console.error(error instanceof ConfigError ? `usage: ${error.message}` : `usage failed to start: ${(error as Error).message}`);
  process.exit(1);
});
