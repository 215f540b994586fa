import { z } from 'zod';
import { polarEnv } from '@nomosly/billing';
import { baseConfigSchema, env, isLoopbackHost, loadConfig } from '@nomosly/config';
import { CONSOLE_CLIENT_ID, DEFAULT_ACCOUNT_DELETION_GRACE_SECONDS, retentionEnv } from '@nomosly/contracts';
import { plansEnv } from '@nomosly/limits';
import { defaultWebConsoleDir } from './web/web-assets';

export const consoleConfigSchema = baseConfigSchema.extend({
  PORT: env.port(3002),
  DATABASE_URL: env.url(['postgres', 'postgresql'], 'postgres://postgres@127.0.0.1:5432/nomosly'),
  /** Where key and limit changes are announced to every gateway (KEY_EVENTS_CHANNEL). */
  EVENTS_REDIS_URL: env.url(['redis', 'rediss'], 'redis://127.0.0.1:6379'),
  /** The plans the gateways enforce (the same PLANS), and their counters' prefix (the same QUEUE_PREFIX). */
  PLANS: plansEnv(),
  QUEUE_PREFIX: env.queuePrefix(),
  /** The retention table the usage app's sweep enforces (the same RETENTION_* variables): GET /api/privacy shows it. */
  ...retentionEnv,
  /** The account deletion countdown (P7): a deletion asked for now is carried out this many seconds later. */
  ACCOUNT_DELETION_GRACE_SECONDS: env.positiveInt(DEFAULT_ACCOUNT_DELETION_GRACE_SECONDS),
  /** The identity provider; its discovery document names the signing keys (jwks_uri). */
  OIDC_ISSUER: env.url(['http', 'https'], 'http://127.0.0.1:4455'),
  /** The `aud` every console token must carry. */
  OIDC_AUDIENCE: z.string().min(1, 'expected the API audience, e.g. https://api.nomosly.local').default('https://api.nomosly.local'),
  /** The claim holding the user's email: Auth0 puts it under a namespaced custom claim in access tokens. */
  OIDC_EMAIL_CLAIM: z.string().min(1, 'expected a claim name').default('email'),
  /** The claim saying the provider verified that email (`true`); only a verified email links to an existing user. */
  OIDC_EMAIL_VERIFIED_CLAIM: z.string().min(1, 'expected a claim name').default('email_verified'),
  /** Polar, for the billing page's checkout and customer portal: the same token, API and products as the billing app's. */
  ...polarEnv,
  /** Where a person reaches this console in a browser: Polar sends the payer back to its billing page. */
  CONSOLE_PUBLIC_URL: env.url(['https', 'http'], 'http://127.0.0.1:3002'),
  /** The web console's OIDC client at the identity provider (a public client: code flow with PKCE, no secret). */
  CONSOLE_OIDC_CLIENT_ID: z.string().min(1, "expected the console's client id at the identity provider").default(CONSOLE_CLIENT_ID),
  /** The public REST API as a browser reaches it: the playground calls it and the code samples name it. */
  CONSOLE_GATEWAY_URL: env.url(['https', 'http'], 'http://127.0.0.1:3000'),
  /** The built web console (index.html and assets/); by default dist/apps/console-web beside this build. */
  CONSOLE_WEB_DIR: z.string().min(1, 'expected a directory').default(defaultWebConsoleDir()),
}).superRefine(requireRealIssuerInProduction);
/**
 * In production the issuer must be a real identity provider: https, and not on this machine (the local
 * stand-in signs anyone in by email alone). The verifier also refuses the stand-in's dev-token grant there.
 */
function requireRealIssuerInProduction(config: { NODE_ENV: string; OIDC_ISSUER: string }, context: z.RefinementCtx): void {
  // A malformed issuer is reported by its own check.
  if (config.NODE_ENV !== 'production' || !URL.canParse(config.OIDC_ISSUER)) return;
  const issuer = new URL(config.OIDC_ISSUER);
  if (issuer.protocol !== 'https:' || isLoopbackHost(issuer.hostname)) {
    context.addIssue({
      code: 'custom',
      path: ['OIDC_ISSUER'],
      message: `expected the identity provider's https URL in production, not ${config.OIDC_ISSUER} (http and loopback issuers are for development and tests)`,
    });
  }
}

export type ConsoleConfig = z.infer<typeof consoleConfigSchema>;

export const CONSOLE_CONFIG = Symbol('CONSOLE_CONFIG');

export function loadConsoleConfig(source: NodeJS.ProcessEnv = process.env): ConsoleConfig {
  return loadConfig(consoleConfigSchema, source);
}
