import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { Client } from 'pg';
import { DEFAULT_PLANS, limitsPrefix, spendCents, unitsKeyOf, utcMonthTagOf } from '@nomosly/limits';
import { TEST_DATABASE_URL, TEST_REDIS_URL, type UsageRecordRow, insertUsageRows, uniquePrefix } from '@nomosly/testing';
import { type ApiResponse, type ConsoleUnderTest, type TestUser, call, signIn, startConsoleUnderTest } from './helpers';
import { type PolarForConsole, startPolarForConsole } from './polar';

/** Where the console says a browser reaches it: Polar sends the payer back there. */
const PUBLIC_URL = 'https://console.nomosly.test';
const QUEUE_PREFIX = uniquePrefix('console-billing');
const HOUR = 3_600_000;

let polar: PolarForConsole;
let system: ConsoleUnderTest;
let db: Client;
let redis: Redis;

beforeAll(async () => {
  polar = await startPolarForConsole();
  system = await startConsoleUnderTest({ ...polar.env, CONSOLE_PUBLIC_URL: PUBLIC_URL, QUEUE_PREFIX });
  db = new Client({ connectionString: TEST_DATABASE_URL });
  await db.connect();
  redis = new Redis(TEST_REDIS_URL);
}, 180_000);
afterAll(async () => {
  await redis?.quit();
  await db?.end();
  await system?.stop();
  await polar?.stop();
});

const billingOf = (user: TestUser, suffix = '') => `/api/workspaces/${user.workspaceId}/billing${suffix}`;

function startOfUtcMonth(now = new Date()): Date {
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1));
}

/** A usage record as the usage app writes it for one billable call. */
function usageRecord(workspaceId: string, units: number, at: Date): UsageRecordRow {
  return { eventId: randomUUID(), workspaceId, userId: randomUUID(), keyId: randomUUID(), operation: 'faces.compare', units, status: 200, latencyMs: 12, at };
}

/** A subscription row as the billing app stores it from Polar's webhooks. */
async function insertSubscription(
  workspaceId: string,
  row: { id?: string; plan: string; status: string; periodStart: Date; updatedAt?: Date; cancelAtPeriodEnd?: boolean },
): Promise<string> {
  const id = row.id ?? randomUUID();
  const periodEnd = new Date(row.periodStart.getTime() + 30 * 24 * HOUR);
  await db.query(
    `insert into billing_subscriptions (id, workspace_id, polar_customer_id, product_id, plan, status, current_period_start, current_period_end,
       cancel_at_period_end, ended_at, polar_version, updated_at)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9, null, $10, $10)`,
    [id, workspaceId, randomUUID(), row.plan === 'pro' ? polar.proProductId : randomUUID(), row.plan, row.status, row.periodStart, periodEnd, row.cancelAtPeriodEnd ?? false, row.updatedAt ?? new Date()],
  );
  return id;
}

async function insertInvoice(workspaceId: string, row: { number: string; totalCents: number; createdAt: Date; status?: string }): Promise<string> {
  const id = randomUUID();
  await db.query(
    `insert into billing_invoices (order_id, workspace_id, polar_customer_id, subscription_id, number, status, billing_reason, currency,
       subtotal_cents, discount_cents, tax_cents, total_cents, created_at, polar_version, updated_at)
     values ($1, $2, $3, null, $4, $5, 'subscription_cycle', 'usd', $6, 0, 0, $6, $7, $7, $7)`,
    [id, workspaceId, randomUUID(), row.number, row.status ?? 'paid', row.totalCents, row.createdAt],
  );
  return id;
}

/** What the billing app does when Polar says the subscription is active: the workspace's plan follows it. */
async function setPlan(workspaceId: string, plan: string): Promise<void> {
  await db.query('update workspaces set plan = $1 where id = $2', [plan, workspaceId]);
}

/** A member (not an owner) of `owner`'s workspace, through an accepted invitation. */
async function memberOf(owner: TestUser): Promise<TestUser> {
  const email = `billing-member-${randomUUID().slice(0, 8)}@console.test`;
  const invited = await owner.call('POST', `/api/workspaces/${owner.workspaceId}/members`, { email, role: 'member' });
  expect(invited.status).toBe(201);
  const member = await signIn(system.console.url, system.issuer, 'billing-member', email);
  const accepted = await member.call('POST', `/api/me/invitations/${(invited.body.invitation as { id: string }).id}/accept`);
  expect(accepted.status).toBe(200);
  return { ...member, workspaceId: owner.workspaceId };
}

/** A Polar API call straight to the stand-in, as the billing app would make it. */
async function polarGet(path: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${polar.polar.url}${path}`, { headers: { authorization: `Bearer ${polar.polar.accessToken}` } });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

function expectError(response: ApiResponse, status: number, code: string): void {
  expect({ status: response.status, code: response.body.error?.code }).toEqual({ status, code });
}

describe('GET /api/workspaces/:ws/billing', () => {
  it('a free workspace: no subscription, no invoices, this UTC month\'s units priced with the free plan', async () => {
    const owner = await signIn(system.console.url, system.issuer, 'billing-free');
    const monthStart = startOfUtcMonth();
    await insertUsageRows(TEST_DATABASE_URL, {
      records: [
        usageRecord(owner.workspaceId, 40, new Date(monthStart.getTime() - HOUR)), // last month
        usageRecord(owner.workspaceId, 7, monthStart),
        usageRecord(owner.workspaceId, 5, new Date()),
      ],
    });
    const response = await owner.call('GET', billingOf(owner));
    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      plan: 'free',
      subscription: null,
      currentPeriod: { units: 12, estimatedCostCents: spendCents(12, DEFAULT_PLANS.free) },
      invoices: [],
    });
  });

  it('after the billing app stored a pro subscription and invoices: shows them, and prices units since the period start with pro', async () => {
    const owner = await signIn(system.console.url, system.issuer, 'billing-pro');
    const other = await signIn(system.console.url, system.issuer, 'billing-pro-other');
    const periodStart = new Date(Date.now() - 2 * HOUR);
    // An older subscription, updated more recently (cancelled): the active one is the current one all the same.
    await insertSubscription(owner.workspaceId, { plan: 'pro', status: 'canceled', periodStart: new Date(Date.now() - 40 * 24 * HOUR) });
    const subscriptionId = await insertSubscription(owner.workspaceId, {
      plan: 'pro',
      status: 'active',
      periodStart,
      updatedAt: new Date(Date.now() - HOUR),
      cancelAtPeriodEnd: true,
    });
    const older = await insertInvoice(owner.workspaceId, { number: 'NOM-0001', totalCents: 2000, createdAt: new Date('2026-01-05T10:00:00.000Z') });
    const newer = await insertInvoice(owner.workspaceId, { number: 'NOM-0002', totalCents: 2345, createdAt: new Date('2026-02-05T10:00:00.000Z'), status: 'pending' });
    await insertInvoice(other.workspaceId, { number: 'OTHER-1', totalCents: 999, createdAt: new Date('2026-02-06T10:00:00.000Z') });
    await setPlan(owner.workspaceId, 'pro');
    await insertUsageRows(TEST_DATABASE_URL, {
      records: [
        usageRecord(owner.workspaceId, 1000, new Date(periodStart.getTime() - 1000)), // before this period
        usageRecord(owner.workspaceId, 1500, periodStart),
        usageRecord(owner.workspaceId, 2, new Date()),
        usageRecord(other.workspaceId, 300, new Date()),
      ],
    });

    const response = await owner.call('GET', billingOf(owner));
    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      plan: 'pro',
      subscription: {
        id: subscriptionId,
        status: 'active',
        plan: 'pro',
        currentPeriodStart: periodStart.toISOString(),
        currentPeriodEnd: new Date(periodStart.getTime() + 30 * 24 * HOUR).toISOString(),
        cancelAtPeriodEnd: true,
      },
      currentPeriod: { units: 1502, estimatedCostCents: spendCents(1502, DEFAULT_PLANS.pro) },
      invoices: [
        { id: newer, number: 'NOM-0002', createdAt: '2026-02-05T10:00:00.000Z', status: 'pending', totalCents: 2345, currency: 'usd' },
        { id: older, number: 'NOM-0001', createdAt: '2026-01-05T10:00:00.000Z', status: 'paid', totalCents: 2000, currency: 'usd' },
      ],
    });
    expect(spendCents(1502, DEFAULT_PLANS.pro)).toBeGreaterThan(0);
  });

  it('without a live subscription, the most recently updated one is shown and this UTC month is priced', async () => {
    const owner = await signIn(system.console.url, system.issuer, 'billing-ended');
    await insertSubscription(owner.workspaceId, { plan: 'pro', status: 'canceled', periodStart: new Date(Date.now() - 90 * 24 * HOUR), updatedAt: new Date(Date.now() - 48 * HOUR) });
    const latest = await insertSubscription(owner.workspaceId, { plan: 'pro', status: 'past_due', periodStart: new Date(Date.now() - 3 * HOUR), updatedAt: new Date(Date.now() - HOUR) });
    await insertUsageRows(TEST_DATABASE_URL, { records: [usageRecord(owner.workspaceId, 9, new Date())] });
    const response = await owner.call('GET', billingOf(owner));
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ plan: 'free', subscription: { id: latest, status: 'past_due' }, currentPeriod: { units: 9, estimatedCostCents: 0 } });
  });
});

describe('the spend cap and the billing page price with the plan the subscription gave', () => {
  it('once the workspace\'s plan becomes pro (as the webhook sets it), GET limits and GET billing both price this month with pro', async () => {
    const owner = await signIn(system.console.url, system.issuer, 'billing-limits');
    const units = 2500;
    // The same month's units in both places they are kept: the gateways' counter (limits) and the usage records (billing).
    await redis.set(unitsKeyOf(limitsPrefix(QUEUE_PREFIX), owner.workspaceId, utcMonthTagOf(Date.now() / 1000)), String(units));
    await insertUsageRows(TEST_DATABASE_URL, { records: [usageRecord(owner.workspaceId, units, new Date())] });
    const limits = `/api/workspaces/${owner.workspaceId}/limits`;

    expect((await owner.call('GET', limits)).body).toMatchObject({ plan: 'free', unitsThisMonth: units, spendThisMonthCents: 0 });
    expect((await owner.call('GET', billingOf(owner))).body).toMatchObject({ plan: 'free', currentPeriod: { units, estimatedCostCents: 0 } });

    await setPlan(owner.workspaceId, 'pro');
    const proCents = spendCents(units, DEFAULT_PLANS.pro);
    expect(proCents).toBe(250);
    const capped = await owner.call('PUT', limits, { monthlySpendCapCents: 300 });
    expect(capped.status).toBe(200);
    expect(capped.body).toMatchObject({ plan: 'pro', monthlyUnitQuota: DEFAULT_PLANS.pro.monthlyUnitQuota, spendThisMonthCents: proCents, monthlySpendCapCents: 300 });
    expect((await owner.call('GET', limits)).body).toMatchObject({ plan: 'pro', unitsThisMonth: units, spendThisMonthCents: proCents });
    expect((await owner.call('GET', billingOf(owner))).body).toMatchObject({ plan: 'pro', currentPeriod: { units, estimatedCostCents: proCents } });
  });
});

describe('POST /api/workspaces/:ws/billing/checkout and /portal', () => {
  it('checkout: 201 with polar\'s checkout url for the pro product, whose page is the checkout; success returns to the billing page', async () => {
    const owner = await signIn(system.console.url, system.issuer, 'billing-checkout');
    const response = await owner.call('POST', billingOf(owner, '/checkout'), { plan: 'pro' });
    expect(response.status).toBe(201);
    const url = response.body.url as string;
    expect(url.startsWith(polar.polar.url)).toBe(true);
    expect(Object.keys(response.body)).toEqual(['url']);

    const page = await fetch(url);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('Subscribe to Pro');
    expect(html).toContain(`action="${new URL(url).pathname}/confirm"`);

    // Paying, as a person would: Polar sends them back to the console's billing page, subscribed to pro as this workspace.
    const paid = await fetch(`${url}/confirm`, { method: 'POST', body: new URLSearchParams({ email: owner.email }), redirect: 'manual' });
    expect({ status: paid.status, location: paid.headers.get('location') }).toEqual({ status: 303, location: `${PUBLIC_URL}/billing?checkout=done` });
    const subscriptions = await polarGet(`/v1/subscriptions/?external_customer_id=${owner.workspaceId}`);
    expect((subscriptions.body.items as Array<{ product_id: string; status: string }>).map(({ product_id, status }) => ({ product_id, status }))).toEqual([
      { product_id: polar.proProductId, status: 'active' },
    ]);
  });

  it('two concurrent checkouts of a new workspace create its Polar customer once, external_id = the workspace id', async () => {
    const owner = await signIn(system.console.url, system.issuer, 'billing-race');
    const createsBefore = polar.calls.filter((call) => call === 'POST /v1/customers/').length;
    const answers = await Promise.all([0, 1].map(() => owner.call('POST', billingOf(owner, '/checkout'), { plan: 'pro' })));
    expect(answers.map((answer) => answer.status)).toEqual([201, 201]);
    expect(polar.calls.filter((call) => call === 'POST /v1/customers/').length - createsBefore).toBe(1);
    const customer = await polarGet(`/v1/customers/external/${owner.workspaceId}`);
    expect(customer).toMatchObject({ status: 200, body: { external_id: owner.workspaceId } });
    const stored = await db.query<{ polar_customer_id: string }>('select polar_customer_id from billing_customers where workspace_id = $1', [owner.workspaceId]);
    expect(stored.rows).toEqual([{ polar_customer_id: customer.body.id }]);
  });

  it('portal: 201 with a customer portal url that opens, returning to the billing page', async () => {
    const owner = await signIn(system.console.url, system.issuer, 'billing-portal');
    const response = await owner.call('POST', billingOf(owner, '/portal'));
    expect(response.status).toBe(201);
    expect(Object.keys(response.body)).toEqual(['url']);
    const page = await fetch(response.body.url as string);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('Your subscriptions');
    expect(html).toContain(`href="${PUBLIC_URL}/billing"`);
    expect(await polarGet(`/v1/customers/external/${owner.workspaceId}`)).toMatchObject({ status: 200, body: { external_id: owner.workspaceId } });
  });

  it('409 conflict for a checkout of the plan the workspace already has an active subscription to', async () => {
    const owner = await signIn(system.console.url, system.issuer, 'billing-again');
    await insertSubscription(owner.workspaceId, { plan: 'pro', status: 'active', periodStart: new Date() });
    await setPlan(owner.workspaceId, 'pro');
    const calls = polar.calls.length;
    const response = await owner.call('POST', billingOf(owner, '/checkout'), { plan: 'pro' });
    expectError(response, 409, 'conflict');
    expect(response.body.error?.message).toMatch(/portal/);
    expect(polar.calls.length).toBe(calls);
  });

  it('400 invalid_request naming the field for a bad body or a plan with no Polar product; nothing reaches Polar', async () => {
    const owner = await signIn(system.console.url, system.issuer, 'billing-bad');
    const calls = polar.calls.length;
    for (const body of [{}, { plan: 'gold' }, { plan: 'free' }, { plan: 7 }, { plan: 'pro', coupon: 'x' }, '{"plan":']) {
      const response = await owner.call('POST', billingOf(owner, '/checkout'), body);
      expectError(response, 400, 'invalid_request');
      const field = typeof body === 'object' && 'coupon' in body ? /coupon/ : typeof body === 'string' ? /JSON/ : /plan/;
      expect({ body, message: response.body.error?.message }).toEqual({ body, message: expect.stringMatching(field) });
    }
    expect(polar.calls.length).toBe(calls);
  });

  it('a member (not an owner) reads billing (200) and is refused checkout and portal (403 insufficient_scope)', async () => {
    const owner = await signIn(system.console.url, system.issuer, 'billing-owner');
    const member = await memberOf(owner);
    expect((await member.call('GET', billingOf(owner))).status).toBe(200);
    expectError(await member.call('POST', billingOf(owner, '/checkout'), { plan: 'pro' }), 403, 'insufficient_scope');
    expectError(await member.call('POST', billingOf(owner, '/portal')), 403, 'insufficient_scope');
  });

  it('P11: another workspace\'s billing is 404 not_found on every billing route, and reaches no Polar call', async () => {
    const a = await signIn(system.console.url, system.issuer, 'billing-p11-a');
    const b = await signIn(system.console.url, system.issuer, 'billing-p11-b');
    await insertInvoice(b.workspaceId, { number: 'B-1', totalCents: 1234, createdAt: new Date() });
    const calls = polar.calls.length;
    for (const [method, path, body] of [
      ['GET', billingOf(b), undefined],
      ['POST', billingOf(b, '/checkout'), { plan: 'pro' }],
      ['POST', billingOf(b, '/portal'), undefined],
      ['POST', `/api/workspaces/${randomUUID()}/billing/portal`, undefined],
    ] as const) {
      const response = await call(system.console.url, a.token, method, path, body);
      expectError(response, 404, 'not_found');
      expect(response.text).not.toContain('B-1');
    }
    expect(polar.calls.length).toBe(calls);
  });

  it('Polar down, limiting or hanging: 503 unavailable with Retry-After, logged, no stack; fine again when Polar is', async () => {
    const owner = await signIn(system.console.url, system.issuer, 'billing-outage');
    try {
      await polar.polar.setFault({ mode: 'status', status: 503 });
      for (const [path, body] of [['/checkout', { plan: 'pro' }], ['/portal', undefined]] as const) {
        const response = await owner.call('POST', billingOf(owner, path), body);
        expectError(response, 503, 'unavailable');
        expect(Number(response.headers.get('retry-after'))).toBeGreaterThan(0);
        expect(response.text).not.toMatch(/ at |polar answered|stack/i);
      }
      await polar.polar.setFault({ mode: 'rate-limit', retryAfterSeconds: 42 });
      const limited = await owner.call('POST', billingOf(owner, '/portal'));
      expectError(limited, 503, 'unavailable');
      expect(limited.headers.get('retry-after')).toBe('42');
      await polar.polar.setFault({ mode: 'hang' });
      expectError(await owner.call('POST', billingOf(owner, '/checkout'), { plan: 'pro' }), 503, 'unavailable');
    } finally {
      await polar.polar.setFault({ mode: 'none' });
    }
    expect(system.console.logs()).toMatch(/billing portal: Polar unavailable: Polar answered 503/);
    expect(system.console.logs()).not.toMatch(/unexpected error while serving a request/);
    expect((await owner.call('POST', billingOf(owner, '/checkout'), { plan: 'pro' })).status).toBe(201);
    // The GET never calls Polar: it answers from what the webhooks stored, whatever Polar's state.
    expect((await owner.call('GET', billingOf(owner))).status).toBe(200);
  });
});
