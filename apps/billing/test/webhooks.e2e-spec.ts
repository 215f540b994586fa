import { randomBytes, randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { type RunningApp, TEST_DATABASE_URL, containsMarker, dumpPostgres, startApp, until } from '@nomosly/testing';
import { type SecretFormat, newSecret, orderJson, signedHeaders, subscriptionJson, webhookBody } from './webhooks-polar-payloads';
import { webhookReceiverEnv } from './webhook-receiver';

const PRO_PRODUCT = randomUUID();
const SECRET = newSecret();

/**
 * `POST /webhooks/polar` (API.md, Billing): the built billing app against the real PostgreSQL and Redis, sent
 * webhooks signed with the real `standardwebhooks` library. P9: nothing of a card is ever stored.
 */
describe('billing webhooks (POST /webhooks/polar)', () => {
  let billing: RunningApp;
  let db: Client;

  beforeAll(async () => {
    billing = await startApp('billing', webhookReceiverEnv(SECRET, { pro: PRO_PRODUCT }));
    db = new Client({ connectionString: TEST_DATABASE_URL });
    await db.connect();
  }, 180_000);
  afterAll(async () => {
    await db?.end();
    await billing?.stop();
  });

  async function newWorkspace(): Promise<string> {
    const id = randomUUID();
    await db.query('insert into workspaces (id, name) values ($1, $2)', [id, `webhooks ${id.slice(0, 8)}`]);
    return id;
  }

  async function deliver(
    body: string,
    { format = 'standard', secret = SECRET, id, at, headers }: { format?: SecretFormat; secret?: string; id?: string; at?: Date; headers?: Record<string, string> } = {},
  ): Promise<{ status: number; body: string }> {
    const response = await fetch(`${billing.url}/webhooks/polar`, {
      method: 'POST',
      headers: headers ?? signedHeaders(secret, format, body, { id, at }),
      body,
    });
    return { status: response.status, body: await response.text() };
  }

  const planOf = async (workspaceId: string) => (await db.query<{ plan: string }>('select plan from workspaces where id = $1', [workspaceId])).rows[0].plan;
  const outcomeOf = async (webhookId: string) =>
    (await db.query<{ outcome: string }>('select outcome from billing_webhook_events where webhook_id = $1', [webhookId])).rows.map((r) => r.outcome);
  const subscriptionRows = async (id: string) =>
    (await db.query<{ status: string; plan: string; workspace_id: string }>('select status, plan, workspace_id from billing_subscriptions where id = $1', [id])).rows;
  const invoiceRows = async (orderId: string) =>
    (await db.query<{ number: string; status: string; total_cents: string; currency: string }>('select number, status, total_cents, currency from billing_invoices where order_id = $1', [orderId]))
      .rows;

  it('P9: accepts a webhook signed under either of Polar secret formats and applies it (subscription active -> pro, order -> invoice)', async () => {
    const workspaceId = await newWorkspace();
    const subscription = subscriptionJson({ externalId: workspaceId, productId: PRO_PRODUCT });
    const activeId = `msg_${randomBytes(8).toString('hex')}`;
    expect(await deliver(webhookBody('subscription.active', subscription), { format: 'standard', id: activeId })).toEqual({ status: 202, body: '' });
    expect(await outcomeOf(activeId)).toEqual(['applied']);
    expect(await planOf(workspaceId)).toBe('pro');
    expect(await subscriptionRows(subscription.id)).toEqual([{ status: 'active', plan: 'pro', workspace_id: workspaceId }]);

    const order = orderJson({ externalId: workspaceId, productId: PRO_PRODUCT, subscriptionId: subscription.id, invoiceNumber: 'NOMO-0001', totalCents: 2900 });
    const paidId = `msg_${randomBytes(8).toString('hex')}`;
    expect((await deliver(webhookBody('order.paid', order), { format: 'legacy', id: paidId })).status).toBe(202);
    expect(await outcomeOf(paidId)).toEqual(['applied']);
    expect(await invoiceRows(order.id)).toEqual([{ number: 'NOMO-0001', status: 'paid', total_cents: '2900', currency: 'usd' }]);
  });

  describe('P9: a forged or stale delivery is refused with 403 invalid_signature and changes nothing', () => {
    const cases: Array<[string, (body: string, id: string) => Promise<{ status: number; body: string }>]> = [
      ['a tampered body', (body, id) => deliver(body.replace('"active"', '"trialing"'), { headers: signedHeaders(SECRET, 'standard', body, { id }) })],
      ['a wrong secret', (body, id) => deliver(body, { secret: newSecret(), id })],
      ['no signature headers', (body) => deliver(body, { headers: { 'content-type': 'application/json' } })],
      [
        'no webhook-id',
        (body, id) => {
          const { 'webhook-id': _id, ...headers } = signedHeaders(SECRET, 'standard', body, { id });
          return deliver(body, { headers });
        },
      ],
      ['a timestamp 6 minutes old', (body, id) => deliver(body, { id, at: new Date(Date.now() - 6 * 60_000) })],
      ['a timestamp 6 minutes ahead', (body, id) => deliver(body, { id, at: new Date(Date.now() + 6 * 60_000) })],
    ];
    it.each(cases)('%s', async (_name, send) => {
      const workspaceId = await newWorkspace();
      const subscription = subscriptionJson({ externalId: workspaceId, productId: PRO_PRODUCT });
      const id = `msg_${randomBytes(8).toString('hex')}`;
      const response = await send(webhookBody('subscription.active', subscription), id);
      expect(response.status).toBe(403);
      expect(JSON.parse(response.body)).toEqual({ error: { code: 'invalid_signature', message: expect.any(String), requestId: expect.any(String) } });
      expect(await outcomeOf(id)).toEqual([]);
      expect(await subscriptionRows(subscription.id)).toEqual([]);
      expect(await planOf(workspaceId)).toBe('free');
    });
  });

  it('P9: a replayed webhook-id is acknowledged (202) with no second effect, even when its body differs', async () => {
    const workspaceId = await newWorkspace();
    const id = `msg_${randomBytes(8).toString('hex')}`;
    const order = orderJson({ externalId: workspaceId, productId: PRO_PRODUCT, totalCents: 2900 });
    expect((await deliver(webhookBody('order.paid', order), { id })).status).toBe(202);
    const changed = { ...order, total_amount: 99_900, subtotal_amount: 99_900, modified_at: new Date(Date.now() + 60_000).toISOString() };
    expect(await deliver(webhookBody('order.paid', changed), { id })).toEqual({ status: 202, body: '' });
    expect(await invoiceRows(order.id)).toEqual([expect.objectContaining({ total_cents: '2900' })]);
    expect(await outcomeOf(id)).toEqual(['applied']);
  });

  it('refuses a signed body that is not JSON with 400 invalid_request, and stores nothing', async () => {
    const id = `msg_${randomBytes(8).toString('hex')}`;
    const response = await deliver('{"type": "subscription.active", "data": ', { id });
    expect(response.status).toBe(400);
    expect(JSON.parse(response.body).error.code).toBe('invalid_request');
    expect(await outcomeOf(id)).toEqual([]);
  });

  it('acknowledges a type it does not use (202, outcome ignored)', async () => {
    const id = `msg_${randomBytes(8).toString('hex')}`;
    expect((await deliver(webhookBody('benefit.created', { id: randomUUID() }), { id })).status).toBe(202);
    expect((await deliver(webhookBody('subscription.cycled', { id: randomUUID() }), { id: `${id}-cycled` })).status).toBe(202);
    expect(await outcomeOf(id)).toEqual(['ignored']);
    expect(await outcomeOf(`${id}-cycled`)).toEqual(['ignored']);
  });

  it('acknowledges a signed payload its schema refuses (202, outcome unparseable) and logs it, never a 5xx', async () => {
    const workspaceId = await newWorkspace();
    const id = `msg_${randomBytes(8).toString('hex')}`;
    const broken = { ...subscriptionJson({ externalId: workspaceId, productId: PRO_PRODUCT }), status: undefined, current_period_start: 'yesterday' };
    expect((await deliver(webhookBody('subscription.active', broken), { id })).status).toBe(202);
    expect(await outcomeOf(id)).toEqual(['unparseable']);
    expect(await planOf(workspaceId)).toBe('free');
    await until(async () => billing.logs().includes(`webhook ${id} (subscription.active) does not match the SDK's schema`), { what: 'the unparseable webhook logged' });
    expect(billing.logs()).toMatch(new RegExp(`webhook ${id} .*status.*current_period_start`));
  });

  it('a subscription of no workspace of ours is acknowledged and ignored', async () => {
    const id = `msg_${randomBytes(8).toString('hex')}`;
    const subscription = subscriptionJson({ externalId: randomUUID(), productId: PRO_PRODUCT });
    expect((await deliver(webhookBody('subscription.active', subscription), { id })).status).toBe(202);
    expect(await outcomeOf(id)).toEqual(['ignored']);
    expect(await subscriptionRows(subscription.id)).toEqual([]);
  });

  it('out of order: an older subscription.active after a newer subscription.revoked leaves the workspace on free', async () => {
    const workspaceId = await newWorkspace();
    const createdAt = new Date(Date.now() - 3_600_000);
    const activeAt = new Date(Date.now() - 120_000);
    const revokedAt = new Date(Date.now() - 60_000);
    const subscriptionId = randomUUID();
    const customerId = randomUUID();
    const facts = { id: subscriptionId, customerId, externalId: workspaceId, productId: PRO_PRODUCT, createdAt };
    const revoked = subscriptionJson({ ...facts, status: 'canceled', modifiedAt: revokedAt, endedAt: revokedAt });
    const active = subscriptionJson({ ...facts, status: 'active', modifiedAt: activeAt });

    expect((await deliver(webhookBody('subscription.revoked', revoked))).status).toBe(202);
    const lateId = `msg_${randomBytes(8).toString('hex')}`;
    expect((await deliver(webhookBody('subscription.active', active), { id: lateId })).status).toBe(202);

    expect(await outcomeOf(lateId)).toEqual(['stale']);
    expect(await subscriptionRows(subscriptionId)).toEqual([{ status: 'canceled', plan: 'pro', workspace_id: workspaceId }]);
    expect(await planOf(workspaceId)).toBe('free');
  });

  it('counts webhooks by type and outcome (billing_webhooks_total)', async () => {
    const metrics = await (await fetch(`${billing.url}/metrics`)).text();
    expect(metrics).toMatch(/^billing_webhooks_total\{type="subscription.active",outcome="applied"[^}]*\} [1-9]/m);
    expect(metrics).toMatch(/^billing_webhooks_total\{type="unknown",outcome="invalid_signature"[^}]*\} [1-9]/m);
  });

  it('P9: card-like fields, a billing address and the customer email in a payload are stored nowhere (a whitelist of columns)', async () => {
    const workspaceId = await newWorkspace();
    const marker = randomBytes(4).toString('hex');
    const card = {
      // A card-like number of this run's own, so a copy left by an earlier run cannot be mistaken for this one's.
      number: `4242${String(randomBytes(6).readUIntBE(0, 6)).padStart(12, '0').slice(-12)}`,
      cvc: '987',
      exp_month: 11,
      exp_year: 2031,
      last4: `l4${marker}`,
      brand: `visa-${marker}`,
      fingerprint: `fp_${marker}`,
    };
    const email = `card-holder-${marker}@example.com`;
    const address = { line1: `${marker} Card Street`, line2: null, postal_code: `PC${marker}`, city: `City${marker}`, state: null, country: 'FR' };
    const withCard = <T extends { customer: object }>(object: T) => ({
      ...object,
      payment_method: { type: 'card', card },
      card_number: card.number,
      billing_name: `Holder ${marker}`,
      billing_address: address,
      customer: { ...object.customer, email, billing_address: address, billing_name: `Holder ${marker}` },
    });
    const subscription = withCard(subscriptionJson({ externalId: workspaceId, productId: PRO_PRODUCT, email }));
    const order = withCard(orderJson({ externalId: workspaceId, productId: PRO_PRODUCT, subscriptionId: subscription.id }));
    const ids = [`msg_${marker}_sub`, `msg_${marker}_order`, `msg_${marker}_customer`];
    expect((await deliver(webhookBody('subscription.active', subscription), { id: ids[0] })).status).toBe(202);
    expect((await deliver(webhookBody('order.paid', order), { id: ids[1] })).status).toBe(202);
    expect((await deliver(webhookBody('customer.created', subscription.customer), { id: ids[2] })).status).toBe(202);
    // The deliveries were applied: the test looks where the data went, not at a refused payload.
    for (const id of ids) expect(await outcomeOf(id)).toEqual(['applied']);
    expect(await planOf(workspaceId)).toBe('pro');

    const dump = await dumpPostgres(TEST_DATABASE_URL);
    // The CVC (3 digits) is too short to look for in a whole database; the other values are unique to this run.
    const leaked = [card.number, card.last4, card.brand, card.fingerprint, email, address.line1, address.postal_code, address.city, `Holder ${marker}`]
      .filter((value) => containsMarker(dump, Buffer.from(value)));
    expect(leaked).toEqual([]);
  });
});
