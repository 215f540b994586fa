import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/** What a page may send to the public API (API.md: the key as a bearer or x-api-key, JSON or multipart bodies). */
export const CORS_ALLOWED_HEADERS = 'authorization, content-type, x-api-key, x-request-id';
/** What a page may read of an answer beyond the safelisted headers: the limits, when to retry, and the request id. */
export const CORS_EXPOSED_HEADERS = 'RateLimit-Limit, RateLimit-Remaining, RateLimit-Reset, Retry-After, x-request-id';
/** How long a browser may reuse a preflight's answer (Chromium caps it at 2 hours). */
export const CORS_MAX_AGE_SECONDS = 600;

export interface CorsOptions {
  /** Exact origins (`https://host[:port]`) granted access; any other origin gets no CORS header at all. */
  origins: readonly string[];
  /** The routes (as registered, for POST) pages may call: the public operations. */
  paths: readonly string[];
}

/**
 * Lets the configured pages (the web console's playground) call the public operations from a browser.
 *
 * Preflights are answered by OPTIONS routes at the operations' own paths, so the router decides what a
 * preflight is for exactly as it decides for the call itself (every spelling of a route is that route, or 404):
 * an OPTIONS to any other path finds no route and gets a plain 404 with no grant. A preflight route is not an
 * operation route, so no key is asked for, no limit is taken and nothing is billed.
 *
 * Registered before the key check, so refused calls (401, 403, 429) carry the grant too: a page can read the
 * API's message and Retry-After instead of an opaque network error.
 */
export function installCors(instance: unknown, options: CorsOptions): void {
  // Typed loosely: plugins (multipart) augment FastifyInstance in ways that make instances incompatible.
  const fastify = instance as FastifyInstance;
  const origins = new Set(options.origins);
  const operationPaths = new Set(options.paths);
  const grantedOrigin = (request: FastifyRequest): string | null => {
    const origin = request.headers.origin;
    return typeof origin === 'string' && origins.has(origin) ? origin : null;
  };

  for (const url of operationPaths) {
    fastify.route({
      method: 'OPTIONS',
      url,
      handler: async (request: FastifyRequest, reply: FastifyReply) => {
        reply.header('vary', 'Origin');
        const origin = grantedOrigin(request);
        if (origin) {
          reply.headers({
            'access-control-allow-origin': origin,
            'access-control-allow-methods': 'POST',
            'access-control-allow-headers': CORS_ALLOWED_HEADERS,
            'access-control-max-age': String(CORS_MAX_AGE_SECONDS),
          });
        }
        return reply.code(204).send();
      },
    });
  }

  fastify.addHook('onRequest', (request: FastifyRequest, reply: FastifyReply, done: () => void) => {
    const { method, url } = request.routeOptions;
    if (method === 'POST' && url !== undefined && operationPaths.has(url)) {
      reply.header('vary', 'Origin');
      const origin = grantedOrigin(request);
      if (origin) reply.headers({ 'access-control-allow-origin': origin, 'access-control-expose-headers': CORS_EXPOSED_HEADERS });
    }
    done();
  });
}
