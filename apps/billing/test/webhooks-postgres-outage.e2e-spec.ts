import { randomBytes, randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { type RunningApp, type TcpProxy, TEST_DATABASE_URL, startApp, startTcpProxy } from '@nomosly/testing';
import { newSecret, signedHeaders, subscriptionJson, webhookBody } from './webhooks-polar-payloads';
import { webhookReceiverEnv } from './webhook-receiver';

const PRO_PRODUCT = randomUUID();
const SECRET = newSecret();

/**
 * A webhook that cannot be stored is not taken: 503 `unavailable` (never a 500 or a stack trace), so Polar delivers
 * it again, and the next delivery of the same webhook-id, once PostgreSQL is back, is applied.
 */
describe('billing webhooks while PostgreSQL is unreachable', () => {
  let proxy: TcpProxy;
  let billing: RunningApp;
  let db: Client;

  beforeAll(async () => {
    const direct = new URL(TEST_DATABASE_URL);
    proxy = await startTcpProxy({ targetHost: direct.hostname, targetPort: Number(direct.port || 5432) });
    billing = await startApp('billing', webhookReceiverEnv(SECRET, { pro: PRO_PRODUCT }, { DATABASE_URL: proxy.url(TEST_DATABASE_URL) }));
    db = new Client({ connectionString: TEST_DATABASE_URL });
    await db.connect();
  }, 180_000);
  afterAll(async () => {
    await db?.end();
    await billing?.stop();
    await proxy?.stop();
  });

  it('answers 503 unavailable and takes the same webhook-id when it is delivered again after the outage', async () => {
    const workspaceId = randomUUID();
    await db.query('insert into workspaces (id, name) values ($1, $2)', [workspaceId, `outage ${workspaceId.slice(0, 8)}`]);
    const body = webhookBody('subscription.active', subscriptionJson({ externalId: workspaceId, productId: PRO_PRODUCT }));
    const id = `msg_${randomBytes(8).toString('hex')}`;
    const deliver = () => fetch(`${billing.url}/webhooks/polar`, { method: 'POST', headers: signedHeaders(SECRET, 'standard', body, { id }), body });

    proxy.cut();
    const refused = await deliver();
    expect(refused.status).toBe(503);
    const text = await refused.text();
    expect(JSON.parse(text)).toEqual({ error: { code: 'unavailable', message: expect.any(String), requestId: expect.any(String) } });
    expect(text).not.toMatch(/at .*\.js:\d+/);
    expect((await db.query('select 1 from billing_webhook_events where webhook_id = $1', [id])).rows).toEqual([]);

    proxy.restore();
    const taken = await deliver();
    expect(taken.status).toBe(202);
    expect((await db.query('select outcome from billing_webhook_events where webhook_id = $1', [id])).rows).toEqual([{ outcome: 'applied' }]);
    expect((await db.query('select plan from workspaces where id = $1', [workspaceId])).rows).toEqual([{ plan: 'pro' }]);
  });
});
