import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { type SecretFormat, signer } from './webhooks';

export interface ReceivedWebhook {
  id: string;
  timestamp: string;
  type: string;
  body: string;
  /** Whether the signature verified with the receiver's secret, read the way its format says. */
  verified: boolean;
}

/** A webhook endpoint for the specs: records every attempt, verifies it with `standardwebhooks`, answers `status(n)`. */
export async function startWebhookReceiver(
  secret: string,
  format: SecretFormat,
  status: (attempt: number) => number | 'hang' = () => 202,
): Promise<{ url: string; received: ReceivedWebhook[]; close(): Promise<void> }> {
  const verifier = signer(secret, format);
  const received: ReceivedWebhook[] = [];
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const headers = {
        'webhook-id': String(request.headers['webhook-id']),
        'webhook-timestamp': String(request.headers['webhook-timestamp']),
        'webhook-signature': String(request.headers['webhook-signature']),
      };
      let verified = true;
      try {
        verifier.verify(body, headers);
      } catch {
        verified = false;
      }
      const type = (JSON.parse(body) as { type: string }).type;
      received.push({ id: headers['webhook-id'], timestamp: headers['webhook-timestamp'], type, body, verified });
      const answer = status(received.length);
      if (answer === 'hang') return;
      response.writeHead(answer);
      response.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/webhooks/polar`,
    received,
    close: () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      return closed;
    },
  };
}

/** What a customer's browser does on the checkout page: load it, then post its form with `email`. */
export async function payCheckout(checkoutUrl: string, email: string): Promise<Response> {
  const page = await fetch(checkoutUrl);
  const html = await page.text();
  const action = /<form method="post" action="([^"]+)"/.exec(html)?.[1];
  if (!action) throw new Error(`no form on the checkout page: ${html}`);
  return fetch(new URL(action, checkoutUrl), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ email }).toString(),
    redirect: 'manual',
  });
}
