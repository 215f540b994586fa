import { Inject, Injectable, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { EventName, type EventOf, type Operation } from '@nomosly/contracts';
import { renderError } from '@nomosly/http';
import type { ResolvedKey } from '../auth/resolved-key';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config';
import { GatewayMetrics } from '../metrics';
import { EventsQueue } from './events-queue';
import { ThrottledErrorLog } from './throttled-error-log';
import { unavailable } from '../unavailable';


/** An admitted call of an operation route: what its usage event bills. */
export interface BillableCall {
  key: ResolvedKey;
  operation: Operation;
  units: number;
}

/** The status Fastify is about to send, past which nothing else is sent: the client left before its answer. */
export const CLIENT_GONE_STATUS = 499;

/**
 * P4: a 2xx answer leaves only once its usage event is queued. Runs in onSend, before the body is written.
 * A failed add is tried again, under the same job id, for up to USAGE_EVENT_RETRY_MS: an add whose reply was
 * lost (the events Redis restarting, say) may have stored the event, and the retry then finds it instead of
 * storing it twice, so the client's 200 and the one event agree. When it still cannot be queued, the answer
 * becomes 503 `unavailable` (and its units are refunded, as for every answer that is not 2xx).
 */
@Injectable()
export class UsageRecorder {
  private readonly logger = new Logger(UsageRecorder.name);
  private readonly failures = new ThrottledErrorLog(this.logger, 'usage event');

  constructor(
    private readonly events: EventsQueue,
    private readonly metrics: GatewayMetrics,
    @Inject(GATEWAY_CONFIG) private readonly config: Pick<GatewayConfig, 'USAGE_EVENT_RETRY_MS'>,
  ) {}

  /** Returns the payload to send: the handler's, or the 503 body that replaces it. */
  async settle(request: FastifyRequest, reply: FastifyReply, call: BillableCall, payload: unknown): Promise<unknown> {
    if (reply.statusCode < 200 || reply.statusCode >= 300) return payload;
    if (request.raw.socket?.destroyed) {
      // No one will read this answer: it is not billed, and the refund hook gives its units back.
      reply.code(CLIENT_GONE_STATUS);
      this.metrics.usageEvents.inc({ outcome: 'client_gone' });
      return payload;
    }
    const event = {
      eventId: String(request.id),
      workspaceId: call.key.workspaceId,
      userId: call.key.userId,
      keyId: call.key.keyId,
      operation: call.operation,
      units: call.units,
      status: reply.statusCode,
      latencyMs: Math.round(reply.elapsedTime),
      at: new Date().toISOString(),
    };
    try {
      await this.addWithRetries(event, Date.now() + this.config.USAGE_EVENT_RETRY_MS);
      this.metrics.usageEvents.inc({ outcome: 'queued' });
      return payload;
    } catch (error) {
      this.metrics.usageEvents.inc({ outcome: 'failed' });
      this.failures.report(error);
      const refused = renderError(unavailable('The service cannot record usage right now; try again shortly.'), String(request.id));
      reply.code(refused.status).headers(refused.headers).header('content-type', 'application/json; charset=utf-8');
      return JSON.stringify(refused.body);
    }
  }

  private async addWithRetries(event: EventOf<typeof EventName.Usage>, giveUpAt: number): Promise<void> {
    for (let delay = 50; ; delay = Math.min(500, delay * 2)) {
      try {
        return await this.events.add(EventName.Usage, event);
      } catch (error) {
        if (Date.now() + delay >= giveUpAt) throw error;
        this.metrics.usageEvents.inc({ outcome: 'retried' });
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
    }
  }
}
