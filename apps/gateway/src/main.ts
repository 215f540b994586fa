import 'reflect-metadata';
import { ConfigError } from '@nomosly/config';
import { stopNestAppOnSignals } from '@nomosly/http';
import { createGateway } from './bootstrap';
import { loadGatewayConfig } from './config';

async function main(): Promise<void> {
  const config = loadGatewayConfig();
  const app = await createGateway(config);
  stopNestAppOnSignals(app, { timeoutMs: config.SHUTDOWN_TIMEOUT_MS });
  await app.listen({ port: config.PORT, host: config.HOST });
}

main().catch((error: unknown) => {
  console.error(error instanceof ConfigError ? `gateway: ${error.message}` : `gateway failed to start: ${(error as Error).message}`);
  process.exit(1);
});
