import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ErrorCode } from '@nomosly/contracts';
import { type LoggableRequest, routedPath } from '@nomosly/logging';
import type { Logger } from 'pino';
import { drainRequest } from './body-parsers';
import { renderError } from './error-body';

/** How long a client may take to send a whole request (headers and body) before it is cut off. */
export const REQUEST_TIMEOUT_MS = 60_000;

export interface FastifyAdapterOptions {
  /** Largest request body accepted, in bytes. */
  bodyLimit: number;
  /** Peers whose `X-Forwarded-For` gives `request.ip` (env.trustedProxies); nobody by default. */
  trustProxy?: false | number | string[];
}

/**
 * A Fastify adapter whose request ids are ours (never taken from the client), exposed on the raw request for
 * the request logger with the routed path and the client address, and returned as `x-request-id` on every response.
 */
export function createFastifyAdapter(options: FastifyAdapterOptions): FastifyAdapter {
  const adapter = new FastifyAdapter({
    bodyLimit: options.bodyLimit,
    trustProxy: options.trustProxy ?? false,
    requestIdHeader: false,
    genReqId: (raw: IncomingMessage) => {
      const id = randomUUID();
      // pino-http takes the request id from the raw request, so log lines and responses agree.
      (raw as { id?: unknown }).id = id;
      return id;
    },
    logger: false,
    // A request that reaches a closing server (on a keep-alive connection) is served, with `connection: close`,
    // instead of Fastify's own 503 (no Retry-After, not API.md's body): the app's services are still up until the
    // server has closed, and an app that is stopping refuses new work itself (the gateway: 503 with Retry-After).
    return503OnClosing: false,
    // A client that stops sending mid-request is cut off instead of holding a connection (and its bytes).
    requestTimeout: REQUEST_TIMEOUT_MS,
    forceCloseConnections: 'idle',
    // Requests Node cannot even parse (bad chunking, bad Content-Length, huge headers) still get API.md's body.
    clientErrorHandler: (error: Error & { code?: string }, socket) => {
      if (!socket.writable) return socket.destroy();
      const tooLarge = error.code === 'HPE_HEADER_OVERFLOW';
      const requestId = randomUUID();
      const body = JSON.stringify({
        error: {
          code: ErrorCode.InvalidRequest,
          message: tooLarge ? 'The request headers are too large.' : 'The request is not valid HTTP.',
          requestId,
        },
      });
      socket.end(
        `HTTP/1.1 ${tooLarge ? '431 Request Header Fields Too Large' : '400 Bad Request'}\r\n` +
          `content-type: application/json; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(body)}\r\n` +
          `x-request-id: ${requestId}\r\nconnection: close\r\n\r\n${body}`,
      );
    },
  });
  // Added before Nest registers its middleware (the request logger among them), so the logger sees what it sets.
  adapter.getInstance().addHook('onRequest', (request, reply, done) => {
    reply.header('x-request-id', request.id);
    // The request log's path and address, on the raw request where pino-http reads it: as routed, and as
    // TRUST_PROXY has Fastify believe it, so the server log line and the workspace's request log agree.
    const raw = request.raw as LoggableRequest;
    raw.routedPath = routedPath(request);
    raw.clientIp = request.ip;
    done();
  });
  return adapter;
}

/**
 * Sends API.md's error body for anything thrown while serving a request (Nest hands Fastify's own parsing
 * and limit errors to the same filter). Unexpected errors are logged by type and code only: messages of
 * driver errors can quote what the client sent (SQL parameters, for one).
 */
export function sendError(error: unknown, request: FastifyRequest, reply: FastifyReply, logger: Logger): void {
  const rendered = renderError(error, String(request.id));
  if (rendered.unexpected) {
    logger.error(
      { requestId: request.id, err: { type: (error as Error)?.name, code: (error as { code?: unknown })?.code } },
      'unexpected error while serving a request',
    );
  }
  const send = () => {
    if (reply.sent || reply.raw.headersSent) return;
    // A body still unread (past the drain limits) leaves the connection unable to carry another request.
    if (!request.raw.complete) reply.header('connection', 'close');
    reply.status(rendered.status).headers(rendered.headers).header('x-request-id', request.id).send(rendered.body);
  };
  // Refused before its body was read (415, 401 on a multipart form...): read the rest first, so that a client
  // still uploading gets the answer instead of a broken pipe.
  if (request.raw.complete) send();
  else void drainRequest(request.raw).then(send);
}
