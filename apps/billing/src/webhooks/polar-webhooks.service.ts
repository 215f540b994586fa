import { Inject, Injectable, Logger } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import { PolarProducts } from '@nomosly/billing';
import { ErrorCode, PublicError } from '@nomosly/contracts';
import { BILLING_CONFIG, type BillingConfig } from '../config';
import { EventsRedis } from '../events-redis';
import { BillingMetrics } from '../metrics';
import { type WebhookHandler, webhookHandlers } from './webhook-handlers';
import type { WebhookOutcome } from './webhook-outcome';
import { PolarWebhookSignature, type WebhookHeaders } from './webhook-signature';

/**
 * Polar's webhooks, each taken once: the signature checked over the bytes received, then in one transaction the
 * webhook id recorded (a second delivery of it finds it there and changes nothing), the payload parsed with the
 * SDK's schema for its type and applied, and its outcome stored. A plan change is announced to the gateways
 * after the commit.
 */
@Injectable()
export class PolarWebhooksService {
  private readonly logger = new Logger(PolarWebhooksService.name);
  private readonly signature: PolarWebhookSignature;
  private readonly handlers: ReadonlyMap<string, WebhookHandler>;

  constructor(
    @Inject(BILLING_CONFIG) config: BillingConfig,
    private readonly em: EntityManager,
    private readonly events: EventsRedis,
    private readonly metrics: BillingMetrics,
    products: PolarProducts,
  ) {
    this.signature = new PolarWebhookSignature(config.POLAR_WEBHOOK_SECRET);
    this.handlers = webhookHandlers(products);
  }

  /** Throws 403 `invalid_signature`, 400 `invalid_request` (signed, but not JSON) or 503 `unavailable` (not taken: Polar retries). */
  async receive(body: Buffer, headers: WebhookHeaders): Promise<void> {
    let webhookId: string;
    try {
      webhookId = this.signature.verify(body, headers);
    } catch (error) {
      this.metrics.webhooks.inc({ type: 'unknown', outcome: 'invalid_signature' });
      throw error;
    }
    const payload = parseJson(body);
    if (payload === undefined) {
      this.metrics.webhooks.inc({ type: 'unknown', outcome: 'unparseable' });
      this.logger.warn(`webhook ${webhookId}: signed, but its body is not JSON`);
      throw new PublicError(ErrorCode.InvalidRequest, 'The body is not valid JSON.');
    }
    const type = typeof (payload as { type?: unknown } | null)?.type === 'string' ? (payload as { type: string }).type : 'unknown';
    const taken = await this.take(webhookId, type, payload);
    this.metrics.webhooks.inc({ type, outcome: taken.outcome });
    if (taken.planChangedFor) await this.events.announce({ type: 'workspace', workspaceId: taken.planChangedFor });
  }

  private async take(webhookId: string, type: string, payload: unknown): Promise<{ outcome: WebhookOutcome | 'duplicate'; planChangedFor?: string }> {
    try {
      return await this.em.getKnex().transaction(async (trx) => {
        const recorded = await trx.raw<{ rows: unknown[] }>(
          `insert into billing_webhook_events (webhook_id, type, outcome, received_at) values (?, ?, 'received', now())
           on conflict (webhook_id) do nothing returning webhook_id`,
          [webhookId, type],
        );
        if (recorded.rows.length === 0) return { outcome: 'duplicate' as const };
        const handler = this.handlers.get(type);
        const handled = handler ? await handler(trx, webhookId, payload) : { outcome: 'ignored' as const };
        const outcome = handled === 'unparseable' ? handled : handled.outcome;
        await trx.raw('update billing_webhook_events set outcome = ? where webhook_id = ?', [outcome, webhookId]);
        return { outcome, planChangedFor: handled === 'unparseable' ? undefined : handled.planChangedFor };
      });
    } catch (error) {
      this.logger.error(`webhook ${webhookId} (${type}) not taken, Polar will deliver it again: ${(error as Error).name} ${(error as { code?: string }).code ?? ''}`);
      throw new PublicError(ErrorCode.Unavailable, 'The webhook could not be stored; deliver it again later.');
    }
  }
}

function parseJson(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8')) as unknown;
  } catch {
    return undefined;
  }
}
