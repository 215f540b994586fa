import { Polar } from '@polar-sh/sdk';
import { HTTPValidationError, ResourceNotFound, ResponseValidationError, webhookPayloadSchemas } from './sdk-schemas';
import { type PolarLocal, productIdFor, startPolarLocal } from './server';
import { payCheckout, startWebhookReceiver } from './test-support';

const accessToken = 'polar_oat_contract';
const webhookSecret = `whsec_${Buffer.from('contract-spec-webhook-secret-32b').toString('base64')}`;
const products = [{ name: 'Nomosly Pro', plan: 'pro', priceAmountCents: 2000, meteredUnitAmountCents: '0.1' }];

/**
 * Every route through the real `@polar-sh/sdk`, which validates each answer against its own zod schemas and throws
 * ResponseValidationError on a mismatch: each call succeeding is the check. Then the wire rules the SDK does not
 * see, and every webhook the stand-in sent against the SDK's webhook payload schemas.
 */
describe('polar-local answers as the Polar SDK expects', () => {
  let polarLocal: PolarLocal;
  let receiver: Awaited<ReturnType<typeof startWebhookReceiver>>;
  let polar: Polar;

  beforeAll(async () => {
    receiver = await startWebhookReceiver(webhookSecret, 'standard');
    polarLocal = await startPolarLocal({ accessToken, webhookSecret, webhookUrl: receiver.url, products });
    polar = new Polar({ accessToken, serverURL: polarLocal.url });
  });
  afterAll(async () => {
    await polarLocal?.close();
    await receiver?.close();
  });

  it('drives every route the billing app calls through the SDK', async () => {
    const workspace = 'ws-contract';
    const created = await polar.customers.create({ email: 'owner@contract.test', externalId: workspace, name: 'Contract Owner' });
    expect(created.externalId).toBe(workspace);
    expect((await polar.customers.getExternal({ externalId: workspace })).id).toBe(created.id);

    const ingested = await polar.events.ingest({
      events: [
        { name: 'api.call', externalCustomerId: workspace, externalId: 'usage-1', metadata: { operation: 'faces', units: 3 } },
        { name: 'api.call', externalCustomerId: workspace, externalId: 'usage-2', metadata: { operation: 'text', units: 2 }, timestamp: new Date(Date.now() - 60_000) },
      ],
    });
    expect(ingested).toEqual({ inserted: 2, duplicates: 0 });
    const events = await polar.events.list({ externalCustomerId: workspace, page: 1, limit: 10 });
    expect(events.items).toHaveLength(2);

    const meters = await polar.meters.list({});
    const meter = meters.result.items[0];
    expect(meter.name).toBe('API units');
    const quantities = await polar.meters.quantities({
      id: meter.id,
      startTimestamp: new Date(Date.now() - 2 * 86_400_000),
      endTimestamp: new Date(),
      interval: 'day',
      externalCustomerId: workspace,
    });
    expect(quantities.total).toBe(5);
    const customerMeters = await polar.customerMeters.list({ externalCustomerId: workspace });
    expect(customerMeters.result.items[0].consumedUnits).toBe(5);

    const catalog = await polar.products.list({});
    expect(catalog.result.items.map((p) => p.id)).toEqual([productIdFor('pro')]);

    const checkout = await polar.checkouts.create({ products: [productIdFor('pro')], externalCustomerId: workspace, successUrl: 'http://console.test/billing?checkout={CHECKOUT_ID}' });
    expect(checkout.url.startsWith(`${polarLocal.url}/checkout/`)).toBe(true);
    const paid = await payCheckout(checkout.url, 'owner@contract.test');
    expect(paid.status).toBe(303);
    expect(paid.headers.get('location')).toBe(`http://console.test/billing?checkout=${checkout.id}`);

    const state = await polar.customers.getStateExternal({ externalId: workspace });
    expect(state.activeSubscriptions).toHaveLength(1);
    const subscriptions = await polar.subscriptions.list({ externalCustomerId: workspace, active: true });
    const subscription = subscriptions.result.items[0];
    expect((await polar.subscriptions.get({ id: subscription.id })).status).toBe('active');

    const orders = await polar.orders.list({ externalCustomerId: workspace });
    const order = orders.result.items[0];
    expect(order.billingReason).toBe('subscription_create');
    expect((await polar.orders.get({ id: order.id })).totalAmount).toBe(2000);
    await polar.orders.generateInvoice({ id: order.id });
    const invoice = await polar.orders.invoice({ id: order.id });
    const pdf = await fetch(invoice.url);
    expect(pdf.headers.get('content-type')).toBe('application/pdf');
    expect((await pdf.text()).startsWith('%PDF-')).toBe(true);

    const session = await polar.customerSessions.create({ externalCustomerId: workspace, returnUrl: 'http://console.test/billing' });
    expect(session.customerPortalUrl.startsWith(`${polarLocal.url}/portal/`)).toBe(true);

    const revoked = await polar.subscriptions.revoke({ id: subscription.id });
    expect(revoked.status).toBe('canceled');
    await polar.customers.deleteExternal({ externalId: workspace, anonymize: true });
    await expect(polar.customers.getExternal({ externalId: workspace })).rejects.toBeInstanceOf(ResourceNotFound);
  });

  it('keeps the wire rules: JSON on the 202, trailing-slash collections, error bodies in the SDK error shapes', async () => {
    const headers = { authorization: `Bearer ${accessToken}`, 'content-type': 'application/json' };
    await polar.customers.create({ email: 'wire@contract.test', externalId: 'ws-wire' });
    const checkout = await polar.checkouts.create({ products: [productIdFor('pro')], externalCustomerId: 'ws-wire' });
    await payCheckout(checkout.url, 'wire@contract.test');
    const order = (await polar.orders.list({ externalCustomerId: 'ws-wire' })).result.items[0];
    const accepted = await fetch(`${polarLocal.url}/v1/orders/${order.id}/invoice`, { method: 'POST', headers });
    expect(accepted.status).toBe(202);
    expect(accepted.headers.get('content-type')).toBe('application/json');
    await accepted.json();

    for (const path of ['/v1/customers/', '/v1/products/', '/v1/events/', '/v1/subscriptions/', '/v1/orders/', '/v1/meters/', '/v1/customer-meters/']) {
      const method = path === '/v1/customers/' ? 'POST' : 'GET';
      const body = method === 'POST' ? JSON.stringify({ email: `trailing-${Date.now()}@contract.test` }) : undefined;
      const answer = await fetch(`${polarLocal.url}${path}`, { method, headers, body });
      expect([path, answer.status]).toEqual([path, method === 'POST' ? 201 : 200]);
      await answer.json();
    }

    await expect(polar.customers.getStateExternal({ externalId: 'nobody' })).rejects.toBeInstanceOf(ResourceNotFound);
    await expect(polar.subscriptions.get({ id: 'missing' })).rejects.toBeInstanceOf(ResourceNotFound);
    const refused = await polar.customers.create({ email: 'wire@contract.test' }).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(HTTPValidationError);
    expect((refused as InstanceType<typeof HTTPValidationError>).detail?.[0].loc).toEqual(['body', 'email']);
    const badBatch = await polar.events.ingest({ events: [{ name: 'api.call', externalCustomerId: 'x', timestamp: new Date(Date.now() + 3_600_000) }] }).catch((e: unknown) => e);
    expect(badBatch).toBeInstanceOf(HTTPValidationError);
  });

  it('sends webhooks every one of which the SDK\'s own payload schemas accept', async () => {
    await polarLocal.idle();
    const types = new Set(receiver.received.map((w) => w.type));
    for (const type of ['customer.created', 'subscription.created', 'subscription.active', 'subscription.updated', 'order.created', 'order.updated', 'order.paid', 'subscription.canceled', 'subscription.revoked', 'customer.deleted', 'customer.state_changed']) {
      expect([type, types.has(type)]).toEqual([type, true]);
    }
    for (const webhook of receiver.received) {
      expect(webhook.verified).toBe(true);
      const schema = webhookPayloadSchemas[webhook.type];
      expect([webhook.type, schema !== undefined]).toEqual([webhook.type, true]);
      const parsed = schema.safeParse(JSON.parse(webhook.body));
      expect([webhook.type, parsed.success ? 'ok' : parsed.error]).toEqual([webhook.type, 'ok']);
    }
  });
});

describe('the contract check can fail', () => {
  it('a required field dropped or a datetime that is not ISO makes the SDK throw ResponseValidationError', async () => {
    const corruptions: Array<(body: Record<string, unknown>) => Record<string, unknown>> = [
      ({ email_verified: _dropped, ...rest }) => rest,
      (body) => ({ ...body, created_at: 'Tue, 01 Dec 2026 10:00:00 GMT' }),
    ];
    for (const corrupt of corruptions) {
      const polarLocal = await startPolarLocal({
        accessToken,
        webhookSecret,
        products,
        corruptResponse: (path, body) => (path.startsWith('/v1/customers') ? corrupt(body as Record<string, unknown>) : body),
      });
      try {
        const polar = new Polar({ accessToken, serverURL: polarLocal.url });
        await expect(polar.customers.create({ email: 'mismatch@contract.test', externalId: 'ws-mismatch' })).rejects.toBeInstanceOf(ResponseValidationError);
        await expect(polar.products.list({})).resolves.toBeDefined();
      } finally {
        await polarLocal.close();
      }
    }
  });
});
