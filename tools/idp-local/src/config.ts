import { existsSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { env, isLoopbackHost } from '@nomosly/config';

const commaSeparated = (fallback: string, what: string) =>
  z
    .string()
    .default(fallback)
    .transform((value) => value.split(',').map((item) => item.trim()).filter(Boolean))
    .refine((items) => items.length > 0, `expected a comma-separated list of ${what}`);

/** The demo user's email, as tools/scripts/start.mjs names it (DEMO_EMAIL's default). */
export const DEFAULT_EMAIL = 'demo@nomosly.local';

const httpUrl = z.url({ protocol: /^https?$/, message: 'expected an http or https URL' });

/**
 * The stand-in's environment: every variable has a default that works on a laptop. It signs anyone in by
 * email alone, so it refuses to start where it could pass for the real identity provider: with
 * NODE_ENV=production at all, and on an address other than loopback unless IDP_LOCAL_ALLOW_NETWORK=1 says
 * that is meant (a local trial in containers); and it has no default client secret outside development.
 */
export const idpConfigSchema = z
  .object({
    NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
    PORT: env.port(4455),
    HOST: env.host('127.0.0.1'),
    /** 1: listen on HOST even when it is not a loopback address (docker-compose's local trial). */
    IDP_LOCAL_ALLOW_NETWORK: env.boolean(false),
    /** Defaults to the URL it listens on. */
    IDP_ISSUER: httpUrl.optional(),
    IDP_AUDIENCE: httpUrl.default('https://api.nomosly.local'),
    IDP_KEYS_FILE: z.string().min(1).default(path.join(repositoryRoot(), '.nomosly/idp-keys.json')),
    IDP_CONSOLE_REDIRECT_URIS: commaSeparated('http://127.0.0.1:3002/callback', 'redirect URIs').refine(
      (uris) => uris.every((uri) => httpUrl.safeParse(uri).success),
      'expected a comma-separated list of http or https URLs',
    ),
    /** Defaults to DEV_CLI_CLIENT_SECRET in development and tests only. */
    IDP_CLI_CLIENT_SECRET: z.string().min(1, 'expected a non-empty secret').optional(),
    /**
     * What the sign-in form's Email field holds when it opens, so that a newcomer signs in with two clicks (the
     * console's Sign in, then the form's): the demo user `npm start` makes its key for. Empty: an empty field.
     */
    IDP_DEFAULT_EMAIL: z.union([z.literal(''), z.email({ message: 'expected an email address, or empty for none' })]).default(DEFAULT_EMAIL),
    SHUTDOWN_TIMEOUT_MS: env.shutdownTimeoutMs(),
    /** Signing keys for the session cookies; random per start when unset (sessions then end with the process). */
    IDP_COOKIE_KEYS: z
      .string()
      .optional()
      .transform((value) => value?.split(',').map((key) => key.trim()).filter(Boolean) ?? []),
  })
  .superRefine((config, context) => {
    if (config.NODE_ENV === 'production') {
      context.addIssue({
        code: 'custom',
        path: ['NODE_ENV'],
        message: 'idp-local signs anyone in by email alone and never runs in production: point the console at the real identity provider',
      });
    }
    if (!isLoopbackHost(config.HOST) && !config.IDP_LOCAL_ALLOW_NETWORK) {
      context.addIssue({
        code: 'custom',
        path: ['HOST'],
        message: `expected a loopback address (127.0.0.1, ::1, localhost): idp-local signs anyone in by email alone; set IDP_LOCAL_ALLOW_NETWORK=1 to listen on ${config.HOST} on purpose`,
      });
    }
    if (config.IDP_CLI_CLIENT_SECRET === undefined && config.NODE_ENV !== 'development' && config.NODE_ENV !== 'test') {
      context.addIssue({ code: 'custom', path: ['IDP_CLI_CLIENT_SECRET'], message: 'expected a secret: there is no default outside development and tests' });
    }
  });

export type IdpConfig = z.infer<typeof idpConfigSchema>;

/** The checkout the stand-in runs from (dist/tools/idp-local/src or tools/idp-local/src). */
function repositoryRoot(): string {
  let dir = __dirname;
  while (!existsSync(path.join(dir, 'nx.json'))) {
    const parent = path.dirname(dir);
    if (parent === dir) return process.cwd();
    dir = parent;
  }
  return dir;
}
