import { Webhook } from 'standardwebhooks';
import { newId } from './ids';

/**
 * How a `whsec_...` secret becomes the HMAC key: 'standard' base64-decodes the part after `whsec_` (Standard
 * Webhooks, Polar's secrets since 2026-09-08); 'legacy' uses the UTF-8 bytes of the whole string (older ones).
 */
export type SecretFormat = 'standard' | 'legacy';

export interface WebhookDelivery {
  webhookId: string;
  type: string;
  /** The receiver's status, or 'error' when it could not be reached or did not answer in time. */
  status: number | 'error';
  attempt: number;
}

/** Polar gives up after 10 attempts. */
export const MAX_ATTEMPTS = 10;
/** Short, so tests see retries; Polar's own backoff reaches 20 minutes. */
export const DEFAULT_RETRY_DELAYS_MS = [50, 100, 200, 400, 800, 1_600, 3_200, 5_000, 5_000];
const ATTEMPT_TIMEOUT_MS = 10_000;

export interface WebhookSenderOptions {
  url?: string;
  secret: string;
  secretFormat?: SecretFormat;
  retryDelaysMs?: number[];
}

export function signer(secret: string, format: SecretFormat): Webhook {
  if (format === 'legacy') return new Webhook(Buffer.from(secret, 'utf8'), { format: 'raw' });
  try {
    return new Webhook(secret);
  } catch (error) {
    throw new Error(`the webhook secret is not whsec_ followed by base64 (${(error as Error).message}); a secret made before 2026-09-08 needs the legacy format`);
  }
}

/**
 * Sends webhooks one at a time in the order they were raised, so a customer's events arrive in Polar's order; a
 * failed attempt is retried (same `webhook-id`, fresh `webhook-timestamp` and signature) before the next is sent.
 */
export class WebhookSender {
  private readonly log: WebhookDelivery[] = [];
  private readonly webhook: Webhook;
  private readonly delays: number[];
  private readonly closing = new AbortController();
  private tail: Promise<void> = Promise.resolve();
  private pending = 0;

  constructor(private readonly options: WebhookSenderOptions) {
    this.webhook = signer(options.secret, options.secretFormat ?? 'standard');
    this.delays = (options.retryDelaysMs ?? DEFAULT_RETRY_DELAYS_MS).slice(0, MAX_ATTEMPTS - 1);
  }

  send(type: string, data: unknown, at: Date = new Date()): void {
    if (!this.options.url || this.closing.signal.aborted) return;
    const delivery = { webhookId: newId(), type, body: JSON.stringify({ type, timestamp: at.toISOString(), data }) };
    this.pending += 1;
    this.tail = this.tail.then(() => this.deliver(delivery.webhookId, type, delivery.body)).finally(() => {
      this.pending -= 1;
    });
  }

  deliveries(): ReadonlyArray<WebhookDelivery> {
    return [...this.log];
  }

  async idle(): Promise<void> {
    while (this.pending > 0) await this.tail;
  }

  /** Stops sending: an attempt in flight is aborted, nothing queued is sent. */
  close(): void {
    this.closing.abort();
  }

  private async deliver(webhookId: string, type: string, body: string): Promise<void> {
    for (let attempt = 1; attempt <= this.delays.length + 1; attempt++) {
      if (this.closing.signal.aborted) return;
      const status = await this.attempt(webhookId, body);
      this.log.push({ webhookId, type, status, attempt });
      if (typeof status === 'number' && status >= 200 && status < 300) return;
      if (attempt <= this.delays.length) await this.wait(this.delays[attempt - 1]);
    }
  }

  private async attempt(webhookId: string, body: string): Promise<number | 'error'> {
    const timestamp = new Date();
    try {
      const response = await fetch(this.options.url as string, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'webhook-id': webhookId,
          'webhook-timestamp': String(Math.floor(timestamp.getTime() / 1000)),
          'webhook-signature': this.webhook.sign(webhookId, timestamp, body),
        },
        body,
        signal: AbortSignal.any([this.closing.signal, AbortSignal.timeout(ATTEMPT_TIMEOUT_MS)]),
      });
      await response.arrayBuffer().catch(() => undefined);
      return response.status;
    } catch {
      return 'error';
    }
  }

  private wait(ms: number): Promise<void> {
    const { signal } = this.closing;
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      signal.addEventListener('abort', done, { once: true });
    });
  }
}
