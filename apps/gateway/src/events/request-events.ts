import { Injectable, Logger } from '@nestjs/common';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { EventName } from '@nomosly/contracts';
import { type LoggableRequest, QUIET_PATHS, requestLogFields } from '@nomosly/logging';
import { recognisedKeyOf } from '../auth/api-key-auth';
import { GatewayMetrics } from '../metrics';
import { EventsQueue } from './events-queue';
import { ThrottledErrorLog } from './throttled-error-log';

const MAX_PATH_LENGTH = 2048;

/**
 * The workspace's request log: one event per request, refused ones included, after its response has gone.
 * It carries P2's fields and nothing else the client sent, with the path as routed (see routedPath); a failure to
 * queue it costs the client nothing.
 */
@Injectable()
export class RequestEvents {
  private readonly logger = new Logger(RequestEvents.name);
  private readonly failures = new ThrottledErrorLog(this.logger, 'request event');
  private readonly quiet = new Set(QUIET_PATHS);

  constructor(
    private readonly events: EventsQueue,
    private readonly metrics: GatewayMetrics,
  ) {}

  install(instance: unknown): void {
    const fastify = instance as FastifyInstance;
    // On the response's 'close', not Fastify's onResponse: that one never runs for a client that hung up, whose
    // request (499) belongs in the log too.
    fastify.addHook('onRequest', (request: FastifyRequest, reply: FastifyReply, done: () => void) => {
      reply.raw.once('close', () => this.emit(request, reply));
      done();
    });
  }

  private emit(request: FastifyRequest, reply: FastifyReply): void {
    // The server log line's own fields: the path as routed and Fastify's address (see createFastifyAdapter).
    const fields = requestLogFields(request.raw as LoggableRequest, reply.raw, reply.elapsedTime);
    if (this.quiet.has(fields.path)) return;
    const added = this.events.add(EventName.Request, {
      requestId: String(request.id),
      workspaceId: recognisedKeyOf(request)?.workspaceId ?? null,
      at: new Date().toISOString(),
      // Fastify's, which believes X-Forwarded-For only from TRUST_PROXY's peers.
      ip: fields.ip,
      method: fields.method,
      path: fields.path.slice(0, MAX_PATH_LENGTH),
      status: fields.status,
      latencyMs: Math.round(fields.latencyMs),
      keyPrefix: fields.keyPrefix,
    });
    added.then(
      () => this.metrics.requestEvents.inc({ outcome: 'queued' }),
      (error: unknown) => {
        this.metrics.requestEvents.inc({ outcome: 'failed' });
        this.failures.report(error);
      },
    );
  }
}
