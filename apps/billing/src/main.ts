import 'reflect-metadata';
import { ConfigError } from '@nomosly/config';
import { stopNestAppOnSignals } from '@nomosly/http';
import { createBillingApp } from './bootstrap';
import { loadBillingConfig } from './config';

async function main(): Promise<void> {
  const config = loadBillingConfig();
  const app = await createBillingApp(config);
  stopNestAppOnSignals(app, { timeoutMs: config.SHUTDOWN_TIMEOUT_MS });
  await app.listen({ port: config.PORT, host: config.HOST });
}

main().catch((error: unknown) => {
  console.error(error instanceof ConfigError ? `billing: ${error.message}` : `billing failed to start: ${(error as Error).message}`);
  process.exit(1);
});
