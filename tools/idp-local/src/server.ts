import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { JWK } from 'jose';
import { LocalAccounts } from './accounts';
import { handleInteraction, isInteractionPath } from './interactions';
import { createIdentityProvider } from './provider';

export interface IdpStandInOptions {
  port: number;
  host: string;
  /** Defaults to the URL it listens on. */
  issuer?: string;
  audience: string;
  signingKey: JWK;
  consoleRedirectUris: string[];
  cliClientSecret: string;
  cookieKeys: string[];
  /** What the sign-in form's Email field holds when it opens ('' for nothing). */
  defaultEmail: string;
}

export interface RunningIdpStandIn {
  /** Where it listens. */
  url: string;
  issuer: string;
  close(): Promise<void>;
}

/** Listens first, so that with port 0 the issuer can name the port it got. */
export async function startIdpStandIn(options: IdpStandInOptions): Promise<RunningIdpStandIn> {
  const server = http.createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://${urlHost(options.host)}:${port}`;
  const issuer = options.issuer ?? url;
  const accounts = new LocalAccounts();
  const provider = createIdentityProvider({ ...options, issuer, accounts });
  const providerHandler = provider.callback();
  server.on('request', (request: http.IncomingMessage, response: http.ServerResponse) => {
    if (!isInteractionPath(request.url)) return void providerHandler(request, response);
    handleInteraction(provider, accounts, request, response, { defaultEmail: options.defaultEmail }).catch((error: Error) => {
      console.error(`idp-local: interaction failed: ${error.message}`);
      if (!response.headersSent) response.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
      response.end('Internal error\n');
    });
  });
  return {
    url,
    issuer,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
        // A browser may hold a keep-alive connection open indefinitely.
        setTimeout(() => server.closeAllConnections(), 2_000).unref();
      }),
  };
}

function urlHost(host: string): string {
  if (host === '0.0.0.0' || host === '::') return '127.0.0.1';
  return host.includes(':') ? `[${host}]` : host;
}
