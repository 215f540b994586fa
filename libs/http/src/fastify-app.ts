import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { renderError } from './error-body';

export interface FastifyAdapterOptions {
  /** Largest request body accepted, in bytes. */
  bodyLimit: number;
}

/**
 * A Fastify adapter whose request ids are ours (never taken from the client), exposed on the raw request for
 * the request logger, and returned as `x-request-id` on every response.
 */
export function createFastifyAdapter(options: FastifyAdapterOptions): FastifyAdapter {
  const adapter = new FastifyAdapter({
    bodyLimit: options.bodyLimit,
    requestIdHeader: false,
    genReqId: (raw: IncomingMessage) => {
      const id = randomUUID();
      // pino-http takes the request id from the raw request, so log lines and responses agree.
      (raw as { id?: unknown }).id = id;
      return id;
    },
    logger: false,
    return503OnClosing: true,
  });
  adapter.getInstance().addHook('onRequest', (request, reply, done) => {
    reply.header('x-request-id', request.id);
    done();
  });
  return adapter;
}

/** Errors raised by Fastify itself (body parsing, limits) and unknown routes get API.md's error body too. */
export function installFastifyErrorHandlers(instance: unknown, logger: Logger): void {
  // Typed loosely: plugins (multipart) augment FastifyInstance in ways that make instances incompatible.
  (instance as FastifyInstance).setErrorHandler((error: unknown, request: FastifyRequest, reply: FastifyReply) => {
    sendError(error, request, reply, logger);
  });
}

export function sendError(error: unknown, request: FastifyRequest, reply: FastifyReply, logger: Logger): void {
  const rendered = renderError(error, String(request.id));
  if (rendered.unexpected) {
    logger.error(
      { requestId: request.id, err: { type: (error as Error)?.name, message: (error as Error)?.message } },
      'unexpected error while serving a request',
    );
  }
  if (reply.sent || reply.raw.headersSent) return;
  reply.status(rendered.status).headers(rendered.headers).header('x-request-id', request.id).send(rendered.body);
}
