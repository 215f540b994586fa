import { randomUUID } from 'node:crypto';
import { MikroORM } from '@mikro-orm/postgresql';
import { Client } from 'pg';
import { ormConfig } from '@nomosly/db';
import { TEST_DATABASE_URL } from '@nomosly/testing';
// eslint-disable-next-line @nx/enforce-module-boundaries, no-restricted-imports -- the Polar stand-in runs in this process, so the test reads its state
import { type PolarLocal, startPolarLocal } from '../../../tools/polar-local/src/server';
import { BillingCustomers, taggedEmail } from './billing-customers';
import { createPolarClient } from './polar-client';

const ACCESS_TOKEN = 'polar_oat_billing_customers_spec';

/** A Polar client and a database pool of its own: what each app process that bills a workspace holds. */
async function client(polarUrl: string): Promise<{ customers: BillingCustomers; close(): Promise<void> }> {
  const orm = await MikroORM.init(ormConfig({ url: TEST_DATABASE_URL, poolSize: 2 }));
  const polar = createPolarClient({ POLAR_ACCESS_TOKEN: ACCESS_TOKEN, POLAR_SERVER_URL: polarUrl, POLAR_TIMEOUT_MS: 5_000 });
  return { customers: new BillingCustomers(orm.em, polar), close: () => orm.close(true) };
}

describe('BillingCustomers.ensure (against polar-local)', () => {
  let polarLocal: PolarLocal;
  let db: Client;
  let first: Awaited<ReturnType<typeof client>>;
  let second: Awaited<ReturnType<typeof client>>;
  const workspaces: string[] = [];
  const users: string[] = [];

  beforeAll(async () => {
    polarLocal = await startPolarLocal({ accessToken: ACCESS_TOKEN, webhookSecret: `whsec_${Buffer.from('billing-customers-spec-secret').toString('base64')}` });
    db = new Client({ connectionString: TEST_DATABASE_URL });
    await db.connect();
    first = await client(polarLocal.url);
    second = await client(polarLocal.url);
  });

  afterAll(async () => {
    await db.query('delete from billing_customers where workspace_id = any($1)', [workspaces]);
    await db.query('delete from workspaces where id = any($1)', [workspaces]);
    await db.query('delete from users where id = any($1)', [users]);
    await db.end();
    await first.close();
    await second.close();
    await polarLocal.close();
  });

  /** A workspace owned by `email` (a new user unless `ownerId` is given). */
  async function workspaceOwnedBy(email: string, ownerId?: string): Promise<{ workspaceId: string; userId: string }> {
    const workspaceId = randomUUID();
    const userId = ownerId ?? randomUUID();
    if (!ownerId) await db.query('insert into users (id, email, name) values ($1, $2, $3)', [userId, email, 'Ann']);
    await db.query(`insert into workspaces (id, name) values ($1, 'customers spec')`, [workspaceId]);
    await db.query(`insert into memberships (workspace_id, user_id, role) values ($1, $2, 'owner')`, [workspaceId, userId]);
    workspaces.push(workspaceId);
    users.push(userId);
    return { workspaceId, userId };
  }
  const polarCustomersOf = (workspaceId: string) => [...polarLocal.state.customers.values()].filter((customer) => customer.externalId === workspaceId);

  it('two concurrent ensure calls from two clients create exactly one Polar customer, and both get its id', async () => {
    const { workspaceId } = await workspaceOwnedBy(`ann-${randomUUID()}@customers.test`);

    const ids = await Promise.all([first.customers.ensure(workspaceId), second.customers.ensure(workspaceId), first.customers.ensure(workspaceId), second.customers.ensure(workspaceId)]);

    const created = polarCustomersOf(workspaceId);
    expect(created).toHaveLength(1);
    expect(new Set(ids)).toEqual(new Set([created[0]?.id]));
    const stored = await db.query('select polar_customer_id from billing_customers where workspace_id = $1', [workspaceId]);
    expect(stored.rows).toEqual([{ polar_customer_id: created[0]?.id }]);
    // Known from then on: no further Polar call makes another.
    expect(await second.customers.ensure(workspaceId)).toBe(created[0]?.id);
    expect(polarCustomersOf(workspaceId)).toHaveLength(1);
  });

  it('adopts the customer Polar already holds under the workspace id instead of making a second', async () => {
    const { workspaceId } = await workspaceOwnedBy(`bea-${randomUUID()}@customers.test`);
    const existing = polarLocal.state.createCustomer({ email: `elsewhere-${randomUUID()}@customers.test`, externalId: workspaceId, name: null, metadata: {} }, new Date());

    expect(await first.customers.ensure(workspaceId)).toBe(existing.id);
    expect(polarCustomersOf(workspaceId)).toHaveLength(1);
  });

  it("bills an owner's second workspace at a tagged address, since Polar keeps one customer per email", async () => {
    const email = `cy-${randomUUID()}@customers.test`;
    const one = await workspaceOwnedBy(email);
    const two = await workspaceOwnedBy(email, one.userId);

    await first.customers.ensure(one.workspaceId);
    await first.customers.ensure(two.workspaceId);

    expect(polarCustomersOf(one.workspaceId).map((customer) => customer.email)).toEqual([email]);
    expect(polarCustomersOf(two.workspaceId).map((customer) => customer.email)).toEqual([taggedEmail(email, two.workspaceId)]);
  });

  it('refuses a workspace without an owner, and creates nothing on Polar', async () => {
    const workspaceId = randomUUID();
    await db.query(`insert into workspaces (id, name) values ($1, 'ownerless')`, [workspaceId]);
    workspaces.push(workspaceId);

    await expect(first.customers.ensure(workspaceId)).rejects.toThrow(`workspace ${workspaceId} has no owner to bill`);
    expect(polarCustomersOf(workspaceId)).toHaveLength(0);
  });
});
