import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { type PolarStandIn, startPolarStandIn } from '@nomosly/testing';

export interface PolarForConsole {
  polar: PolarStandIn;
  /** The Polar product that sells `pro`. */
  proProductId: string;
  /** Every call that reached Polar through the console's POLAR_SERVER_URL, as `METHOD /path` (no query). */
  calls: string[];
  /** The console's POLAR_* variables (pro is sold; free is not). */
  env: Record<string, string>;
  stop(): Promise<void>;
}

/**
 * polar-local selling `pro`, behind a recording proxy that the console is pointed at: a test can count the calls
 * that reached Polar (one customer created, however many checkouts raced for it).
 */
export async function startPolarForConsole(): Promise<PolarForConsole> {
  const proProductId = randomUUID();
  const polar = await startPolarStandIn({ products: [{ id: proProductId, name: 'Pro', plan: 'pro', priceAmountCents: 2000, meteredUnitAmountCents: '0.1' }] });
  const upstream = new URL(polar.url);
  const calls: string[] = [];
  const proxy = http.createServer((request, response) => {
    calls.push(`${request.method} ${(request.url ?? '/').split('?')[0]}`);
    const forwarded = http.request(
      { host: upstream.hostname, port: upstream.port, method: request.method, path: request.url, headers: request.headers },
      (answer) => {
        response.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(response);
      },
    );
    forwarded.on('error', () => response.destroy());
    request.pipe(forwarded);
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  const proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
  return {
    polar,
    proProductId,
    calls,
    env: {
      POLAR_ACCESS_TOKEN: polar.accessToken,
      POLAR_SERVER_URL: proxyUrl,
      POLAR_PRODUCTS: JSON.stringify({ pro: proProductId }),
      // A short timeout: the hang fault is answered as an outage within a test's patience.
      POLAR_TIMEOUT_MS: '2000',
    },
    stop: async () => {
      proxy.closeAllConnections();
      await new Promise<void>((resolve) => proxy.close(() => resolve()));
      await polar.stop();
    },
  };
}
