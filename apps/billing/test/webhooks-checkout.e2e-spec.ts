import { spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import path from 'node:path';
import { Client } from 'pg';
import { createPolarClient } from '@nomosly/billing';
import { REPO_ROOT, type RunningApp, TEST_DATABASE_URL, startApp, until } from '@nomosly/testing';
import { type SecretFormat, newSecret } from './webhooks-polar-payloads';
import { webhookReceiverEnv } from './webhook-receiver';

const ACCESS_TOKEN = 'polar_oat_checkout_test';
const PRO_PRODUCT = randomUUID();

/** The built Polar stand-in (`npm run polar-local`) as its own process, posting its webhooks to `webhookUrl`. */
async function startPolarLocal(env: Record<string, string>): Promise<{ url: string; logs(): string; stop(): Promise<void> }> {
  const child = spawn(process.execPath, [path.join(REPO_ROOT, 'dist/tools/polar-local/src/main.js')], {
    cwd: REPO_ROOT,
    env: { PATH: process.env.PATH ?? '', PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  await until(async () => {
    if (child.exitCode !== null) throw new Error(`polar-local exited with ${child.exitCode}:\n${output}`);
    return /polar-local http:\/\/\S+/.test(output);
  }, { what: 'polar-local started', timeoutMs: 60_000, intervalMs: 50 });
  return {
    url: /polar-local (http:\/\/\S+)/.exec(output)?.[1] ?? '',
    logs: () => output,
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

/** What a customer's browser does on the checkout page: load it, then post its form (to `<checkout url>/confirm`). */
async function payCheckout(checkoutUrl: string, email: string): Promise<Response> {
  const html = await (await fetch(checkoutUrl)).text();
  const action = /<form method="post" action="([^"]+)"/.exec(html)?.[1];
  if (!action) throw new Error(`no form on the checkout page: ${html}`);
  return fetch(new URL(action, checkoutUrl), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ email }).toString(),
    redirect: 'manual',
  });
}

/**
 * A paid checkout on the Polar stand-in (the built `tools/polar-local`, as `npm start` runs it) puts the workspace on `pro`: the stand-in's confirm sends Polar's webhooks
 * (customer, subscription created and active, order created and paid), signed, to the built billing app.
 */
describe.each<SecretFormat>(['standard', 'legacy'])('a paid checkout, webhooks signed with a %s secret', (format) => {
  const secret = newSecret();
  let billing: RunningApp;
  let polar: Awaited<ReturnType<typeof startPolarLocal>>;
  let db: Client;

  beforeAll(async () => {
    billing = await startApp('billing', webhookReceiverEnv(secret, { pro: PRO_PRODUCT }, { POLAR_ACCESS_TOKEN: ACCESS_TOKEN }));
    polar = await startPolarLocal({
      POLAR_ACCESS_TOKEN: ACCESS_TOKEN,
      POLAR_WEBHOOK_SECRET: secret,
      POLAR_LOCAL_SECRET_FORMAT: format,
      POLAR_WEBHOOK_URL: `${billing.url}/webhooks/polar`,
      POLAR_LOCAL_PRODUCTS: JSON.stringify([{ id: PRO_PRODUCT, name: 'Pro', plan: 'pro', priceAmountCents: 2900, meteredUnitAmountCents: '0.1' }]),
    });
    db = new Client({ connectionString: TEST_DATABASE_URL });
    await db.connect();
  }, 180_000);
  afterAll(async () => {
    await polar?.stop();
    await db?.end();
    await billing?.stop();
  });

  it('confirming the checkout page puts the workspace on pro, with its subscription, invoice and customer stored', async () => {
    const workspaceId = randomUUID();
    await db.query('insert into workspaces (id, name) values ($1, $2)', [workspaceId, `checkout ${workspaceId.slice(0, 8)}`]);
    const sdk = createPolarClient({ POLAR_ACCESS_TOKEN: ACCESS_TOKEN, POLAR_SERVER_URL: polar.url, POLAR_TIMEOUT_MS: 10_000 });
    const checkout = await sdk.checkouts.create({ products: [PRO_PRODUCT], externalCustomerId: workspaceId, successUrl: 'http://127.0.0.1/done' });

    const paid = await payCheckout(checkout.url, `buyer-${randomBytes(4).toString('hex')}@example.com`);
    expect(paid.status).toBeLessThan(400);
    await until(async () => (await db.query('select plan from workspaces where id = $1', [workspaceId])).rows[0].plan === 'pro', { what: 'the workspace on pro' });
    // Every webhook of the purchase taken and applied by this suite's own billing app, none refused or left unparsed.
    const counted = async () => (await (await fetch(`${billing.url}/metrics`)).text()).split('\n').filter((line) => line.startsWith('billing_webhooks_total{'));
    const purchase = ['customer.created', 'subscription.created', 'subscription.active', 'order.created', 'order.paid'];
    await until(async () => (await counted()).filter((line) => purchase.some((type) => line.includes(`type="${type}",outcome="applied"`))).length === purchase.length, {
      what: "the purchase's five webhook types applied",
    });
    expect((await counted()).filter((line) => /outcome="(invalid_signature|unparseable|stale)"/.test(line))).toEqual([]);
    expect(billing.logs()).not.toMatch(/does not match the SDK's schema|invalid_signature/);

    const subscriptions = await db.query('select status, plan, cancel_at_period_end from billing_subscriptions where workspace_id = $1', [workspaceId]);
    expect(subscriptions.rows).toEqual([{ status: 'active', plan: 'pro', cancel_at_period_end: false }]);
    const invoices = await db.query('select status, total_cents, currency from billing_invoices where workspace_id = $1', [workspaceId]);
    expect(invoices.rows).toEqual([{ status: 'paid', total_cents: '2900', currency: 'usd' }]);
    const customers = await db.query('select polar_customer_id from billing_customers where workspace_id = $1', [workspaceId]);
    expect(customers.rows).toEqual([{ polar_customer_id: expect.any(String) }]);
  });
});
