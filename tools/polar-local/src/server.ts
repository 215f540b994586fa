import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { type ApiContext, routeApi } from './api';
import { type Fault, type FaultMode, FaultSwitch, parseFaultMode } from './faults';
import { PolarHttpError, notFound, parseForm, parseJsonObject, readBody, sendEmpty, sendHtml, sendJson, unauthorized } from './http';
import { routePage } from './pages';
import { PolarState, type ProductSeed } from './state';
import { type SecretFormat, type WebhookDelivery, WebhookSender } from './webhooks';

export { METER_ID, productIdFor } from './ids';
export type { FaultMode } from './faults';
export type { ProductSeed } from './state';
export { PolarState } from './state';
export type { SecretFormat, WebhookDelivery } from './webhooks';

export interface PolarLocalOptions {
  accessToken: string;
  webhookSecret: string;
  webhookUrl?: string;
  secretFormat?: SecretFormat;
  port?: number;
  host?: string;
  products?: ProductSeed[];
  fault?: FaultMode;
  /** Waits between webhook attempts; at most 9 are used (10 attempts in all). */
  webhookRetryDelaysMs?: number[];
  /** Test-only: rewrites a `/v1/...` JSON answer before it is sent, to prove the contract spec can fail. */
  corruptResponse?: (path: string, body: unknown) => unknown;
}

export interface PolarLocal {
  url: string;
  state: PolarState;
  close(): Promise<void>;
  setFault(fault: FaultMode): void;
  /** Forgets the `count` most recently ingested events of that customer, as if Polar had lost them; returns how many. */
  loseEvents(externalCustomerId: string, count: number): number;
  webhookDeliveries(): ReadonlyArray<WebhookDelivery>;
  /** Resolves when no webhook delivery is pending. */
  idle(): Promise<void>;
}

/**
 * A local stand-in for the Polar API (the routes the billing app calls), its checkout and customer-portal pages,
 * and its webhooks. State lives in memory. The real `@polar-sh/sdk`, given `serverURL: url`, runs unchanged.
 */
export async function startPolarLocal(options: PolarLocalOptions): Promise<PolarLocal> {
  const state = new PolarState(options.products ?? []);
  const webhooks = new WebhookSender({
    url: options.webhookUrl,
    secret: options.webhookSecret,
    secretFormat: options.secretFormat,
    retryDelaysMs: options.webhookRetryDelaysMs,
  });
  const faults = new FaultSwitch(options.fault ?? { mode: 'none' });
  const host = options.host ?? '127.0.0.1';
  const context: ApiContext = { state, webhooks, now: () => new Date(), baseUrl: '' };

  const server = http.createServer((request, response) => {
    void handle(request, response).catch((error: unknown) => {
      if (response.headersSent) return void response.destroy();
      if (error instanceof PolarHttpError) return sendJson(response, error.status, error.body, error.headers);
      sendJson(response, 500, { error: 'InternalServerError', detail: 'Internal Server Error' });
    });
  });

  async function handle(request: http.IncomingMessage, response: http.ServerResponse): Promise<void> {
    const method = request.method ?? 'GET';
    const url = new URL(request.url ?? '/', context.baseUrl);
    const body = await readBody(request);
    if (body === null) throw new PolarHttpError(413, { error: 'RequestEntityTooLarge', detail: 'Request body too large' });

    if (url.pathname.startsWith('/__local/')) {
      requireToken(request);
      return controlRoute(method, url.pathname, parseJsonObject(body), response);
    }
    if (url.pathname.startsWith('/v1/')) {
      const fault = await faults.current();
      if (fault === 'dropped') return;
      if (fault) return answerFault(fault, response);
      requireToken(request);
      const answer = routeApi(context, method, url, () => parseJsonObject(body));
      if (!answer) throw notFound('Not Found');
      if (answer.body === undefined) return sendEmpty(response, answer.status);
      const wire = options.corruptResponse ? options.corruptResponse(url.pathname, answer.body) : answer.body;
      return sendJson(response, answer.status, wire);
    }
    const page = routePage(context, method, url.pathname, () => parseForm(body));
    if (!page) throw notFound('Not Found');
    if (page.kind === 'html') return sendHtml(response, page.status, page.html);
    if (page.kind === 'redirect') {
      response.writeHead(303, { location: page.location, 'content-length': 0 });
      return void response.end();
    }
    response.writeHead(200, { 'content-type': page.contentType, 'content-length': page.content.length });
    response.end(page.content);
  }

  function requireToken(request: http.IncomingMessage): void {
    if (request.headers.authorization !== `Bearer ${options.accessToken}`) throw unauthorized();
  }

  function answerFault(fault: Fault, response: http.ServerResponse): void {
    if (fault.mode === 'rate-limit') {
      return sendJson(response, 429, { error: 'TooManyRequests', detail: 'Rate limit exceeded.' }, { 'retry-after': String(fault.retryAfterSeconds) });
    }
    sendJson(response, fault.status, { error: 'InternalServerError', detail: `Injected fault: ${fault.status}` });
  }

  function controlRoute(method: string, path: string, body: Record<string, unknown>, response: http.ServerResponse): void {
    if (method === 'PUT' && path === '/__local/fault') {
      faults.set(parseFaultMode(body));
      return sendJson(response, 200, body);
    }
    if (method === 'POST' && path === '/__local/lose-events') {
      const { external_customer_id: externalCustomerId, count } = body;
      if (typeof externalCustomerId !== 'string' || typeof count !== 'number') {
        throw new PolarHttpError(422, { error: 'PolarRequestValidationError', detail: [{ type: 'missing', loc: ['body'], msg: 'expected {external_customer_id, count}', input: body }] });
      }
      return sendJson(response, 200, { lost: loseEvents(externalCustomerId, count) });
    }
    throw notFound('Not Found');
  }

  function loseEvents(externalCustomerId: string, count: number): number {
    const customer = state.customerByExternalId(externalCustomerId);
    let lost = 0;
    for (let i = state.events.length - 1; i >= 0 && lost < count; i--) {
      const event = state.events[i];
      if (event.externalCustomerId === externalCustomerId || (customer !== undefined && event.customerId === customer.id)) {
        state.events.splice(i, 1);
        // Forgotten entirely: sending it again inserts it, as a reconciliation would after a real loss.
        if (event.externalId !== null) state.ingestedExternalIds.delete(event.externalId);
        lost += 1;
      }
    }
    return lost;
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  context.baseUrl = `http://${host}:${port}`;

  return {
    url: context.baseUrl,
    state,
    setFault: (fault) => faults.set(fault),
    loseEvents,
    webhookDeliveries: () => webhooks.deliveries(),
    idle: () => webhooks.idle(),
    close: async () => {
      webhooks.close();
      faults.release();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
      await webhooks.idle();
    },
  };
}
