import type { IncomingMessage, ServerResponse } from 'node:http';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyInstance } from 'fastify';
import helmet, { type HelmetOptions } from 'helmet';

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

const helmetOptions = (options: SecurityHeadersOptions): HelmetOptions => ({
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

/** What helmet does to every response: the headers it sets and those it removes. */
export interface SecurityHeaders {
  set: ReadonlyArray<readonly [name: string, value: string]>;
  removed: readonly string[];
}

/**
 * The headers helmet sets with these options, worked out once: none of them depends on the request (no CSP
 * nonce, no directive computed per request), so building helmet's middleware for every request, as
 * @fastify/helmet does, only repeats the same work.
 */
export function securityHeaders(options: SecurityHeadersOptions = {}): SecurityHeaders {
  const set: Array<[string, string]> = [];
  const removed: string[] = [];
  const response = {
    setHeader: (name: string, value: string) => set.push([name, String(value)]),
    removeHeader: (name: string) => removed.push(name),
  };
  let failure: unknown;
  helmet(helmetOptions(options))({} as IncomingMessage, response as unknown as ServerResponse, (error?: unknown) => {
    failure = error;
  });
  if (failure) throw failure;
  return { set, removed };
}

/**
 * Standard security headers on every response (helmet): the CSP above, `X-Content-Type-Options: nosniff`,
 * `X-Frame-Options: DENY`, `Strict-Transport-Security`, `Referrer-Policy: no-referrer`, the cross-origin
 * policies, and no `X-Powered-By`. Set on the raw response as each request arrives, so that every answer carries
 * them, errors included.
 */
export async function registerSecurityHeaders(app: NestFastifyApplication, options: SecurityHeadersOptions = {}): Promise<void> {
  const { set, removed } = securityHeaders(options);
  const fastify = app.getHttpAdapter().getInstance() as unknown as FastifyInstance;
  fastify.addHook('onRequest', (request, reply, done) => {
    for (const [name, value] of set) reply.raw.setHeader(name, value);
    for (const name of removed) reply.raw.removeHeader(name);
    done();
  });
}
