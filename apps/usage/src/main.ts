import 'reflect-metadata';
import { ConfigError } from '@nomosly/config';
import { stopNestAppOnSignals } from '@nomosly/http';
import { createUsageApp } from './bootstrap';
import { loadUsageConfig } from './config';

async function main(): Promise<void> {
  const config = loadUsageConfig();
  const app = await createUsageApp(config);
  stopNestAppOnSignals(app, { timeoutMs: config.SHUTDOWN_TIMEOUT_MS });
  await app.listen({ port: config.PORT, host: config.HOST });
}

main().catch((error: unknown) => {
  console.error(error instanceof ConfigError ? `usage: ${error.message}` : `usage failed to start: ${(error as Error).message}`);
  process.exit(1);
});
