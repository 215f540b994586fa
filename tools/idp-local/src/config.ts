import { existsSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { env } from '@nomosly/config';

const commaSeparated = (fallback: string, what: string) =>
  z
    .string()
    .default(fallback)
    .transform((value) => value.split(',').map((item) => item.trim()).filter(Boolean))
    .refine((items) => items.length > 0, `expected a comma-separated list of ${what}`);

const httpUrl = z.url({ protocol: /^https?$/, message: 'expected an http or https URL' });

/** The stand-in's environment: every variable has a default that works on a laptop. */
export const idpConfigSchema = z.object({
  PORT: env.port(4455),
  HOST: env.host('127.0.0.1'),
  /** Defaults to the URL it listens on. */
  IDP_ISSUER: httpUrl.optional(),
  IDP_AUDIENCE: httpUrl.default('https://api.nomosly.local'),
  IDP_KEYS_FILE: z.string().min(1).default(path.join(repositoryRoot(), '.nomosly/idp-keys.json')),
  IDP_CONSOLE_REDIRECT_URIS: commaSeparated('http://127.0.0.1:3002/callback', 'redirect URIs').refine(
    (uris) => uris.every((uri) => httpUrl.safeParse(uri).success),
    'expected a comma-separated list of http or https URLs',
  ),
  IDP_CLI_CLIENT_SECRET: z.string().min(1, 'expected a non-empty secret').default('dev-cli-secret'),
  /** Signing keys for the session cookies; random per start when unset (sessions then end with the process). */
  IDP_COOKIE_KEYS: z
    .string()
    .optional()
    .transform((value) => value?.split(',').map((key) => key.trim()).filter(Boolean) ?? []),
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
