import { loadConfig } from '@nomosly/config';
import { DEV_CLI_CLIENT_SECRET } from '@nomosly/contracts';
import { consoleShutdownLog, stopOnSignals } from '@nomosly/observability';
import { idpConfigSchema } from './config';
import { startIdpStandIn } from './server';
import { loadOrCreateSigningKey } from './signing-key';

/** `npm run idp-local`: the local identity provider stand-in, for development and tests only. */
async function main(): Promise<void> {
  const config = loadConfig(idpConfigSchema);
  const standIn = await startIdpStandIn({
    port: config.PORT,
    host: config.HOST,
    issuer: config.IDP_ISSUER,
    audience: config.IDP_AUDIENCE,
    signingKey: await loadOrCreateSigningKey(config.IDP_KEYS_FILE),
    consoleRedirectUris: config.IDP_CONSOLE_REDIRECT_URIS,
    cliClientSecret: config.IDP_CLI_CLIENT_SECRET ?? DEV_CLI_CLIENT_SECRET,
    cookieKeys: config.IDP_COOKIE_KEYS,
    defaultEmail: config.IDP_DEFAULT_EMAIL,
  });
  console.log(`idp-local ${standIn.url}`);
  stopOnSignals({ timeoutMs: config.SHUTDOWN_TIMEOUT_MS, log: consoleShutdownLog('idp-local'), stop: () => standIn.close() });
}

main().catch((error: Error) => {
  console.error(`idp-local: ${error.message}`);
  process.exit(1);
});
