import 'reflect-metadata';
import { ConfigError } from '@nomosly/config';
import { createWorker } from './bootstrap';
import { loadWorkerConfig } from './config';

async function main(): Promise<void> {
  const config = loadWorkerConfig();
  const app = await createWorker(config);
  await app.listen({ port: config.PORT, host: config.HOST });
}

main().catch((error: unknown) => {
  console.error(
    error instanceof ConfigError ? `vision-worker: ${error.message}` : `vision-worker failed to start: ${(error as Error).message}`,
  );
  process.exit(1);
});
