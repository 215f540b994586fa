import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * What the HTTP layer leaves on the raw request for the request log: the Fastify adapter's onRequest hook sets the
 * routed path and the client address (createFastifyAdapter), the gateway's auth step the key prefix.
 */
export interface LoggableRequest extends IncomingMessage {
  keyPrefix?: string;
  /** The path as routed (routedPath): every spelling of a route logs as that route. */
  routedPath?: string;
  /** Fastify's `request.ip`: the socket's peer, or the client a trusted proxy names (TRUST_PROXY). */
  clientIp?: string;
}

/**
 * The only fields a request log line carries (P2): timestamp (pino's `time`), source IP, method, path,
 * status, latency, request id and key prefix. No headers, no query string, no body. The request id is bound to
 * the request's logger as `requestId` (see nestLoggerParams), so it is not repeated here.
 */
export interface RequestLogFields {
  ip: string;
  method: string;
  path: string;
  status: number;
  latencyMs: number;
  keyPrefix: string | null;
}

export function pathOf(url: string | undefined): string {
  if (!url) return '/';
  const queryAt = url.search(/[?#]/);
  return queryAt === -1 ? url : url.slice(0, queryAt);
}

/** Middleware mounts (middie) rewrite `url`; `originalUrl` keeps what the client asked for. */
export function originalUrl(req: IncomingMessage): string | undefined {
  return (req as { originalUrl?: string }).originalUrl ?? req.url;
}

/**
 * The path a request is logged (and judged quiet) by: as routed, or, for a request that never reached the router's
 * hooks, the path the client sent, without its query.
 */
export function loggedPath(req: LoggableRequest): string {
  return req.routedPath ?? pathOf(originalUrl(req));
}

export function requestLogFields(req: LoggableRequest, res: ServerResponse, latencyMs: number): RequestLogFields {
  return {
    ip: req.clientIp ?? req.socket?.remoteAddress ?? '',
    method: req.method ?? '',
    path: loggedPath(req),
    // 499: the client went away before it was answered (nginx's convention); Node would report 200.
    status: res.writableFinished ? res.statusCode : 499,
    latencyMs: Math.round(latencyMs * 100) / 100,
    keyPrefix: req.keyPrefix ?? null,
  };
}
