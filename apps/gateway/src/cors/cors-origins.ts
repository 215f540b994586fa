import { z } from 'zod';

/** The web console's own addresses in development: `npm start` serves it on port 3002. */
export const DEVELOPMENT_CONSOLE_ORIGINS: readonly string[] = Object.freeze(['http://127.0.0.1:3002', 'http://localhost:3002']);

const ORIGIN_MESSAGE =
  'expected empty or a comma-separated list of origins (scheme, host and optional port, no path), e.g. https://console.example.com';

/** An origin exactly as a browser sends it in `Origin`: `https://host[:port]`, nothing after. */
function isOrigin(entry: string): boolean {
  if (!URL.canParse(entry)) return false;
  const url = new URL(entry);
  return (url.protocol === 'https:' || url.protocol === 'http:') && url.origin === entry;
}

/**
 * GATEWAY_CORS_ORIGINS: the pages (the web console) whose browsers may call the public API directly. Unset, it
 * is decided by NODE_ENV (corsOriginsOf); empty, no page may. Never a wildcard: each origin is echoed exactly.
 */
export const corsOriginsEnv = () =>
  z
    .string()
    .optional()
    .transform((value, context): string[] | undefined => {
      if (value === undefined) return undefined;
      const entries = value
        .split(',')
        .map((entry) => entry.trim())
        .filter((entry) => entry !== '');
      const bad = entries.filter((entry) => !isOrigin(entry));
      if (bad.length === 0) return entries;
      context.addIssue({ code: 'custom', message: `${ORIGIN_MESSAGE}; not an origin: ${bad.join(', ')}` });
      return z.NEVER;
    });

/** The origins granted CORS: the configured ones, or the development console's outside production, or none. */
export function corsOriginsOf(config: { NODE_ENV: string; GATEWAY_CORS_ORIGINS?: readonly string[] | undefined }): readonly string[] {
  if (config.GATEWAY_CORS_ORIGINS !== undefined) return config.GATEWAY_CORS_ORIGINS;
  return config.NODE_ENV === 'production' ? [] : DEVELOPMENT_CONSOLE_ORIGINS;
}
