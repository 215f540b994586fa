import { randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { ErrorCode, PublicError } from '@nomosly/contracts';
import { PolarWebhookSignature } from './webhook-signature';

const secret = `whsec_${randomBytes(24).toString('base64')}`;
const body = Buffer.from('{"type":"subscription.active","timestamp":"2026-12-02T08:00:00Z","data":{}}');
const signers = {
  // Polar's secrets since 2026-09-08: the part after whsec_, base64-decoded.
  standard: new Webhook(secret),
  // Older secrets: the UTF-8 bytes of the whole string (what SDK 0.49's validateEvent assumes).
  legacy: new Webhook(Buffer.from(secret, 'utf8').toString('base64')),
};

function headers(signer: Webhook, { id = 'msg_1', at = new Date(), payload = body } = {}) {
  return { 'webhook-id': id, 'webhook-timestamp': String(Math.floor(at.getTime() / 1000)), 'webhook-signature': signer.sign(id, at, payload) };
}

function refusal(attempt: () => unknown): PublicError {
  try {
    attempt();
  } catch (error) {
    if (error instanceof PublicError) return error;
    throw error;
  }
  throw new Error('expected a refusal');
}

describe('PolarWebhookSignature', () => {
  const signature = new PolarWebhookSignature(secret);

  it.each(Object.entries(signers))('accepts a body signed under the %s reading of the secret, and returns its webhook id', (_format, signer) => {
    expect(signature.verify(body, headers(signer, { id: 'msg_42' }))).toBe('msg_42');
  });

  it('verifies with a legacy secret that is not base64 after whsec_', () => {
    const legacySecret = 'whsec_not-base64_at-all_2f0c';
    const signer = new Webhook(Buffer.from(legacySecret, 'utf8').toString('base64'));
    expect(new PolarWebhookSignature(legacySecret).verify(body, headers(signer))).toBe('msg_1');
  });

  it.each([
    ['another body', () => headers(signers.standard, { payload: Buffer.from('{"type":"subscription.revoked"}') })],
    ['another secret', () => headers(new Webhook(`whsec_${randomBytes(24).toString('base64')}`))],
    ['a timestamp 310 s old', () => headers(signers.standard, { at: new Date(Date.now() - 310_000) })],
    ['a timestamp 310 s ahead', () => headers(signers.standard, { at: new Date(Date.now() + 310_000) })],
    ['no webhook-id', () => ({ ...headers(signers.standard), 'webhook-id': undefined })],
    ['no signature', () => ({ ...headers(signers.standard), 'webhook-signature': undefined })],
  ])('refuses a signature made for %s with invalid_signature', (_case, make) => {
    expect(refusal(() => signature.verify(body, make())).code).toBe(ErrorCode.InvalidSignature);
  });
});
