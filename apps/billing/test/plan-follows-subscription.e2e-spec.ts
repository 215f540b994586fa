import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { type RunningApp, type TestSystem, TEST_DATABASE_URL, fixture, startApp, startTestSystem, until } from '@nomosly/testing';
import { newSecret, signedHeaders, subscriptionJson, webhookBody } from './webhooks-polar-payloads';
import { webhookReceiverEnv } from './webhook-receiver';

const PRO_PRODUCT = randomUUID();
const SECRET = newSecret();

/** Plans the rate-limit headers tell apart: on free the monthly quota (1000) is the policy closest to refusing, on pro it is far off. */
const PLANS = JSON.stringify({
  free: { rateLimitPerSecond: 100_000, workspaceRequestsPerSecond: 100_000, maxInFlight: 100_000, monthlyUnitQuota: 1_000, centsPerThousandUnits: 0 },
  pro: { rateLimitPerSecond: 100_000, workspaceRequestsPerSecond: 100_000, maxInFlight: 100_000, monthlyUnitQuota: 5_000_000, centsPerThousandUnits: 100 },
});
const FREE_LIMIT = '1000';
const PRO_LIMIT = '100000';

/**
 * A workspace's plan follows its Polar subscription on every gateway within a second: the billing app takes
 * `subscription.active` / `subscription.revoked`, sets the plan and announces the workspace on the key-events
 * channel; two gateway replicas (built, as processes) show the plan's limits in their RateLimit-Limit header.
 */
describe('the plan follows the subscription on every gateway', () => {
  let system: TestSystem;
  let secondGateway: RunningApp;
  let billing: RunningApp;
  let db: Client;

  beforeAll(async () => {
    system = await startTestSystem({ label: 'plan-follows', engine: 'null', gatewayEnv: { PLANS } });
    [secondGateway, billing] = await Promise.all([
      startApp('gateway', { ...system.env, PLANS }),
      startApp('billing', webhookReceiverEnv(SECRET, { pro: PRO_PRODUCT }, { EVENTS_REDIS_URL: system.env.EVENTS_REDIS_URL, QUEUE_PREFIX: system.prefix })),
    ]);
    db = new Client({ connectionString: TEST_DATABASE_URL });
    await db.connect();
  }, 180_000);
  afterAll(async () => {
    await Promise.all([secondGateway?.stop(), billing?.stop(), db?.end()]);
    await system?.stop();
  });

  /** The RateLimit-Limit a gateway answers a call of the system's key with. */
  async function limitOn(gateway: RunningApp): Promise<string | null> {
    const form = new FormData();
    form.append('image', new Blob([fixture('astronaut.png')], { type: 'image/png' }), 'astronaut.png');
    const response = await fetch(`${gateway.url}/v1/faces/detect`, { method: 'POST', headers: { authorization: `Bearer ${system.key}` }, body: form });
    await response.arrayBuffer();
    if (response.status !== 200) throw new Error(`the gateway answered ${response.status}`);
    return response.headers.get('ratelimit-limit');
  }

  async function deliver(type: string, data: unknown): Promise<void> {
    const body = webhookBody(type, data);
    const response = await fetch(`${billing.url}/webhooks/polar`, { method: 'POST', headers: signedHeaders(SECRET, 'standard', body), body });
    expect(response.status).toBe(202);
  }

  const bothGatewaysShow = (limit: string, what: string) =>
    until(async () => (await limitOn(system.gateway)) === limit && (await limitOn(secondGateway)) === limit, { what, timeoutMs: 1000, intervalMs: 50 });

  it('subscription.active for the pro product puts the workspace on pro within 1 s on both gateways; subscription.revoked puts it back on free within 1 s', async () => {
    // Both replicas have the workspace cached on free.
    expect(await limitOn(system.gateway)).toBe(FREE_LIMIT);
    expect(await limitOn(secondGateway)).toBe(FREE_LIMIT);

    const facts = { id: randomUUID(), customerId: randomUUID(), externalId: system.workspaceId, productId: PRO_PRODUCT, createdAt: new Date(Date.now() - 60_000) };
    await deliver('subscription.active', subscriptionJson({ ...facts, status: 'active', modifiedAt: new Date(Date.now() - 1_000) }));
    await bothGatewaysShow(PRO_LIMIT, 'both gateways applying the pro plan');
    expect((await db.query('select plan from workspaces where id = $1', [system.workspaceId])).rows).toEqual([{ plan: 'pro' }]);

    const endedAt = new Date();
    await deliver('subscription.revoked', subscriptionJson({ ...facts, status: 'canceled', modifiedAt: endedAt, endedAt }));
    await bothGatewaysShow(FREE_LIMIT, 'both gateways back on the free plan');
    expect((await db.query('select plan from workspaces where id = $1', [system.workspaceId])).rows).toEqual([{ plan: 'free' }]);
  });
});
