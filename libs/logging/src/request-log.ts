import type { IncomingMessage, ServerResponse } from 'node:http';

/** What the gateway's auth step leaves on the raw request for the request log. */
export interface LoggableRequest extends IncomingMessage {
  keyPrefix?: string;
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

export function requestLogFields(req: LoggableRequest, res: ServerResponse, latencyMs: number): RequestLogFields {
  return {
    ip: req.socket?.remoteAddress ?? '',
    method: req.method ?? '',
    path: pathOf(originalUrl(req)),
    // 499: the client went away before it was answered (nginx's convention); Node would report 200.
    status: res.writableFinished ? res.statusCode : 499,
    latencyMs: Math.round(latencyMs * 100) / 100,
    keyPrefix: req.keyPrefix ?? null,
  };
}
