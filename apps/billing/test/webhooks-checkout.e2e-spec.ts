import { randomBytes, randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { createPolarClient } from '@nomosly/billing';
import { type RunningApp, TEST_DATABASE_URL, TEST_REDIS_URL, startApp, uniquePrefix, until } from '@nomosly/testing';
// The Polar stand-in runs in the test's process, as its own specs run it (API.md: tools/polar-local).
// eslint-disable-next-line no-restricted-imports
import { type PolarLocal, type SecretFormat, productIdFor, startPolarLocal } from '../../../tools/polar-local/src/server';
// eslint-disable-next-line no-restricted-imports
import { payCheckout } from '../../../tools/polar-local/src/test-support';
import { newSecret } from './webhooks-polar-payloads';

const ACCESS_TOKEN = 'polar_oat_checkout_test';

/**
 * A paid checkout on the Polar stand-in puts the workspace on `pro`: the stand-in's confirm sends Polar's webhooks
 * (customer, subscription created and active, order created and paid), signed, to the built billing app.
 */
describe.each<SecretFormat>(['standard', 'legacy'])('a paid checkout, webhooks signed with a %s secret', (format) => {
  const secret = newSecret();
  let billing: RunningApp;
  let polar: PolarLocal;
  let db: Client;

  beforeAll(async () => {
    billing = await startApp('billing', {
      DATABASE_URL: TEST_DATABASE_URL,
      EVENTS_REDIS_URL: TEST_REDIS_URL,
      QUEUE_PREFIX: uniquePrefix('checkout'),
      POLAR_ACCESS_TOKEN: ACCESS_TOKEN,
      // The billing app calls no Polar route to take webhooks; the stand-in is started once the app's URL is known.
      POLAR_SERVER_URL: 'http://127.0.0.1:9',
      POLAR_WEBHOOK_SECRET: secret,
      POLAR_PRODUCTS: JSON.stringify({ pro: productIdFor('pro') }),
      BILLING_RECONCILE_CRON: '',
    });
    polar = await startPolarLocal({
      accessToken: ACCESS_TOKEN,
      webhookSecret: secret,
      secretFormat: format,
      webhookUrl: `${billing.url}/webhooks/polar`,
      products: [{ name: 'Pro', plan: 'pro', priceAmountCents: 2900, meteredUnitAmountCents: '0.1' }],
    });
    db = new Client({ connectionString: TEST_DATABASE_URL });
    await db.connect();
  }, 180_000);
  afterAll(async () => {
    await polar?.close();
    await db?.end();
    await billing?.stop();
  });

  it('confirming the checkout page puts the workspace on pro, with its subscription, invoice and customer stored', async () => {
    const workspaceId = randomUUID();
    await db.query('insert into workspaces (id, name) values ($1, $2)', [workspaceId, `checkout ${workspaceId.slice(0, 8)}`]);
    const sdk = createPolarClient({ POLAR_ACCESS_TOKEN: ACCESS_TOKEN, POLAR_SERVER_URL: polar.url, POLAR_TIMEOUT_MS: 10_000 });
    const checkout = await sdk.checkouts.create({ products: [productIdFor('pro')], externalCustomerId: workspaceId, successUrl: 'http://127.0.0.1/done' });

    const paid = await payCheckout(checkout.url, `buyer-${randomBytes(4).toString('hex')}@example.com`);
    expect(paid.status).toBeLessThan(400);
    await polar.idle();

    const deliveries = polar.webhookDeliveries().filter((delivery) => delivery.status !== 'error');
    expect(deliveries.map((delivery) => delivery.type)).toEqual(expect.arrayContaining(['customer.created', 'subscription.created', 'subscription.active', 'order.created', 'order.paid']));
    expect(polar.webhookDeliveries().every((delivery) => delivery.status === 202)).toBe(true);
    await until(async () => (await db.query('select plan from workspaces where id = $1', [workspaceId])).rows[0].plan === 'pro', { what: 'the workspace on pro' });

    const subscriptions = await db.query('select status, plan, cancel_at_period_end from billing_subscriptions where workspace_id = $1', [workspaceId]);
    expect(subscriptions.rows).toEqual([{ status: 'active', plan: 'pro', cancel_at_period_end: false }]);
    const invoices = await db.query('select status, total_cents, currency from billing_invoices where workspace_id = $1', [workspaceId]);
    expect(invoices.rows).toEqual([{ status: 'paid', total_cents: '2900', currency: 'usd' }]);
    const customers = await db.query('select polar_customer_id from billing_customers where workspace_id = $1', [workspaceId]);
    expect(customers.rows).toEqual([{ polar_customer_id: expect.any(String) }]);
  });
});
