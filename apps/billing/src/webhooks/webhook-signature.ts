import { Webhook, WebhookVerificationError } from 'standardwebhooks';
import { ErrorCode, PublicError } from '@nomosly/contracts';

/** The Standard Webhooks headers Polar sends, as they arrived (any of them may be missing). */
export interface WebhookHeaders {
  'webhook-id'?: string;
  'webhook-timestamp'?: string;
  'webhook-signature'?: string;
}

/**
 * Checks Polar's signature (`v1,<base64 HMAC-SHA256 of "id.timestamp.body">`, timestamp within 5 minutes either way)
 * over the exact bytes received. Polar has two secret formats: older secrets are the UTF-8 bytes of the whole
 * `whsec_...` string (the only one SDK 0.49's `validateEvent` knows), newer ones base64-decode the part after
 * `whsec_`. A secret that does not decode as base64 can only be of the older kind.
 */
export class PolarWebhookSignature {
  private readonly keys: Webhook[];

  constructor(secret: string) {
    this.keys = [new Webhook(Buffer.from(secret, 'utf8').toString('base64'))];
    try {
      this.keys.push(new Webhook(secret));
    } catch {
      // not base64 after whsec_: an older secret only
    }
  }

  /** Returns the webhook id, or throws 403 `invalid_signature`. */
  verify(body: Buffer, headers: WebhookHeaders): string {
    const id = headers['webhook-id'];
    const timestamp = headers['webhook-timestamp'];
    const signature = headers['webhook-signature'];
    if (!id || !timestamp || !signature) throw invalidSignature('The webhook-id, webhook-timestamp and webhook-signature headers are required.');
    let reason = 'The webhook signature does not match.';
    for (const key of this.keys) {
      try {
        key.verify(body, { 'webhook-id': id, 'webhook-timestamp': timestamp, 'webhook-signature': signature }, { jsonParse: false });
        return id;
      } catch (error) {
        if (!(error instanceof WebhookVerificationError)) throw error;
        if (/timestamp|headers/i.test(error.message)) reason = 'The webhook timestamp is missing or more than 5 minutes from now.';
      }
    }
    throw invalidSignature(reason);
  }
}

function invalidSignature(message: string): PublicError {
  return new PublicError(ErrorCode.InvalidSignature, message);
}
