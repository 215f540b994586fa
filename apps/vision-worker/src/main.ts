import 'reflect-metadata';
import { ConfigError } from '@nomosly/config';
import { stopNestAppOnSignals } from '@nomosly/http';
import { createWorker } from './bootstrap';
import { loadWorkerConfig } from './config';

async function main(): Promise<void> {
  const config = loadWorkerConfig();
  const app = await createWorker(config);
  stopNestAppOnSignals(app, { timeoutMs: config.SHUTDOWN_TIMEOUT_MS });
  await app.listen({ port: config.PORT, host: config.HOST });
}

main().catch((error: unknown) => {
  console.error(
    error instanceof ConfigError ? `vision-worker: ${error.message}` : `vision-worker failed to start: ${(error as Error).message}`,
  );
  process.exit(1);
});
