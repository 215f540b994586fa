import 'reflect-metadata';
import { ConfigError } from '@nomosly/config';
import { stopNestAppOnSignals } from '@nomosly/http';
import { createConsole } from './bootstrap';
import { loadConsoleConfig } from './config';

async function main(): Promise<void> {
  const config = loadConsoleConfig();
  const app = await createConsole(config);
  stopNestAppOnSignals(app, { timeoutMs: config.SHUTDOWN_TIMEOUT_MS });
  await app.listen({ port: config.PORT, host: config.HOST });
}

main().catch((error: unknown) => {
  console.error(error instanceof ConfigError ? `console: ${error.message}` : `console failed to start: ${(error as Error).message}`);
  process.exit(1);
});
