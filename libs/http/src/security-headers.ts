import helmet, { type FastifyHelmetOptions } from '@fastify/helmet';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';

/**
 * The Content-Security-Policy of every response: only our own origin's scripts, styles, images and fonts
 * (plus `data:` images and fonts, which Swagger UI's stylesheet uses for its icons), no inline script at all,
 * no plugins, no framing. The API reference at /docs is built to run under it: its page carries no inline
 * script or style, and Swagger UI's files are served from /docs/assets.
 */
const CONTENT_SECURITY_POLICY: Record<string, string[]> = {
  'default-src': ["'self'"],
  'base-uri': ["'self'"],
  'connect-src': ["'self'"],
  'font-src': ["'self'", 'data:'],
  'form-action': ["'self'"],
  'frame-ancestors': ["'none'"],
  'img-src': ["'self'", 'data:'],
  'object-src': ["'none'"],
  'script-src': ["'self'"],
  'script-src-attr': ["'none'"],
  'style-src': ["'self'"],
};

export interface SecurityHeadersOptions {
  /**
   * Other origins the app's own pages may call with fetch (`connect-src`): the web console's identity provider
   * and the gateway its playground calls. Origins only, never a wildcard.
   */
  connectOrigins?: readonly string[];
  /** Images the page makes itself (`blob:`): the playground draws over the picked image. */
  blobImages?: boolean;
}

const helmetOptions = (options: SecurityHeadersOptions): FastifyHelmetOptions => ({
  global: true,
  // Without `upgrade-insecure-requests`: the apps also serve plain http on a laptop, where it would break /docs.
  contentSecurityPolicy: {
    useDefaults: false,
    directives: {
      ...CONTENT_SECURITY_POLICY,
      'connect-src': ["'self'", ...new Set((options.connectOrigins ?? []).map((origin) => new URL(origin).origin))],
      'img-src': options.blobImages ? ["'self'", 'data:', 'blob:'] : CONTENT_SECURITY_POLICY['img-src'],
    },
  },
  // A JSON API and its reference page never need to be framed or read by other origins' pages.
  frameguard: { action: 'deny' },
  referrerPolicy: { policy: 'no-referrer' },
});

/**
 * Standard security headers on every response (helmet): the CSP above, `X-Content-Type-Options: nosniff`,
 * `X-Frame-Options: DENY`, `Strict-Transport-Security`, `Referrer-Policy: no-referrer`, the cross-origin
 * policies, and no `X-Powered-By`.
 */
export async function registerSecurityHeaders(app: NestFastifyApplication, options: SecurityHeadersOptions = {}): Promise<void> {
  await app.register(helmet as unknown as Parameters<typeof app.register>[0], helmetOptions(options));
}
