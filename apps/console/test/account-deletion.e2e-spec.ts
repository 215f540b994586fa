import { randomBytes, randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import path from 'node:path';
import { Queue } from 'bullmq';
import Redis from 'ioredis';
import { Client } from 'pg';
import { QueueName, accountPurgeJobId } from '@nomosly/contracts';
import {
  REPO_ROOT,
  type RunningApp,
  TEST_DATABASE_URL,
  TEST_REDIS_URL,
  type TestSystem,
  detectCall,
  dumpPostgres,
  dumpRedis,
  fixture,
  startApp,
  startTestSystem,
  until,
} from '@nomosly/testing';
import { type ConsoleUnderTest, type TestUser, signIn, startConsoleUnderTest } from './helpers';

/** What this spec uses of the Polar stand-in (tools/polar-local), run in this process so that its state can be read. */
interface PolarLocal {
  url: string;
  close(): Promise<void>;
  state: {
    createCustomer(input: { email: string; externalId: string; name: string; metadata: Record<string, never> }, now: Date): { id: string };
    customers: Map<string, { email: string; name: string | null; deletedAt: Date | null }>;
    subscriptions: Map<string, Record<string, unknown> & { status: string }>;
    customerByExternalId(externalId: string): unknown;
  };
}
interface PolarLocalModule {
  startPolarLocal(options: { accessToken: string; webhookSecret: string; products: Array<Record<string, unknown>> }): Promise<PolarLocal>;
  productIdFor(plan: string): string;
}
// From the build: tools are not projects an app's spec may import.
const { startPolarLocal, productIdFor } = createRequire(__filename)(path.join(REPO_ROOT, 'dist/tools/polar-local/src/server.js')) as PolarLocalModule;

/** The countdown under test: long enough to set everything up after asking, short enough to wait for. */
const GRACE_SECONDS = 6;
const NIL_USER_ID = '00000000-0000-0000-0000-000000000000';
const POLAR_TOKEN = `polar_oat_${randomBytes(12).toString('hex')}`;
const WEBHOOK_SECRET = `whsec_${randomBytes(24).toString('base64')}`;

/**
 * P7 end to end: the console starts and cancels the countdown, the usage app purges at its end (a delayed job on the
 * maintenance queue), a gateway refuses the deleted keys, and the billing app deletes the Polar customer (the
 * Polar stand-in in this process).
 */
describe('P7: account deletion', () => {
  let system: TestSystem;
  let consoleApp: ConsoleUnderTest;
  let usage: RunningApp;
  let billing: RunningApp;
  let polar: PolarLocal;
  let db: Client;
  let maintenance: Queue;
  let queueRedis: Redis;
  const usageLogs: string[] = [];

  const usageEnv = () => ({ DATABASE_URL: TEST_DATABASE_URL, EVENTS_REDIS_URL: TEST_REDIS_URL, QUEUE_PREFIX: system.prefix, RETENTION_SWEEP_CRON: '' });
  async function startUsage(): Promise<void> {
    usage = await startApp('usage', usageEnv());
  }
  async function stopUsage(kill = false): Promise<void> {
    await (kill ? usage.kill() : usage.stop());
    usageLogs.push(usage.logs());
  }

  beforeAll(async () => {
    polar = await startPolarLocal({
      accessToken: POLAR_TOKEN,
      webhookSecret: WEBHOOK_SECRET,
      products: [{ name: 'Pro', plan: 'pro', priceAmountCents: 2000, meteredUnitAmountCents: '0.1' }],
    });
    // The gateway believes X-Forwarded-For from this machine, so each test's calls come from an address of their own.
    system = await startTestSystem({ label: 'deletion', engine: 'null', gatewayEnv: { TRUST_PROXY: '127.0.0.1' } });
    [consoleApp, billing] = await Promise.all([
      startConsoleUnderTest({ QUEUE_PREFIX: system.prefix, ACCOUNT_DELETION_GRACE_SECONDS: String(GRACE_SECONDS) }),
      startApp('billing', {
        DATABASE_URL: TEST_DATABASE_URL,
        EVENTS_REDIS_URL: TEST_REDIS_URL,
        QUEUE_PREFIX: system.prefix,
        POLAR_ACCESS_TOKEN: POLAR_TOKEN,
        POLAR_SERVER_URL: polar.url,
        POLAR_WEBHOOK_SECRET: WEBHOOK_SECRET,
        POLAR_PRODUCTS: JSON.stringify({ pro: productIdFor('pro') }),
        BILLING_RECONCILE_CRON: '',
        // On the shared test database: sending its ledger would take other suites' usage.
        BILLING_SEND_USAGE: 'false',
      }),
      startUsage(),
    ]);
    db = new Client({ connectionString: TEST_DATABASE_URL });
    await db.connect();
    queueRedis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: null });
    maintenance = new Queue(QueueName.Maintenance, { connection: queueRedis, prefix: system.prefix, streams: { events: { maxLen: 100 } } });
  }, 240_000);

  afterAll(async () => {
    await maintenance?.close();
    queueRedis?.disconnect();
    await db?.end();
    await Promise.all([usage?.stop(), billing?.stop(), consoleApp?.stop()]);
    await system?.stop();
    await polar?.close();
  });

  const label = (what: string) => `${what}${randomBytes(4).toString('hex')}`;
  const person = (what: string) => signIn(consoleApp.console.url, consoleApp.issuer, label(what));
  const gatewayCall = (key: string) => detectCall(system.gateway.url, key, fixture('astronaut.png'))();
  /** A call from `ip` (the gateway trusts this machine's X-Forwarded-For). */
  async function callFrom(key: string, ip: string): Promise<number> {
    const response = await fetch(`${system.gateway.url}/v1/faces/detect`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'image/png', 'x-forwarded-for': ip },
      body: fixture('astronaut.png'),
    });
    await response.arrayBuffer();
    return response.status;
  }
  const randomIp = () => `2001:db8:${randomBytes(2).toString('hex')}:${randomBytes(2).toString('hex')}::${randomBytes(2).toString('hex')}`;
  const count = async (sql: string, params: unknown[]) => Number((await db.query<{ n: string }>(sql, params)).rows[0].n);
  const userExists = async (userId: string) => (await count('select count(*) as n from users where id = $1', [userId])) === 1;

  async function newKey(user: TestUser, workspaceId: string, name: string): Promise<{ id: string; secret: string; prefix: string }> {
    const created = await user.call('POST', `/api/workspaces/${workspaceId}/keys`, { name });
    expect(created.status).toBe(201);
    const key = created.body.key as { id: string; prefix: string };
    return { id: key.id, prefix: key.prefix, secret: created.body.secret as string };
  }

  /** `member` joins `owner`'s workspace through an invitation. */
  async function join(owner: TestUser, member: TestUser): Promise<void> {
    const invited = await owner.call('POST', `/api/workspaces/${owner.workspaceId}/members`, { email: member.email, role: 'member' });
    expect(invited.status).toBe(201);
    const accepted = await member.call('POST', `/api/me/invitations/${(invited.body.invitation as { id: string }).id}/accept`);
    expect(accepted.status).toBe(200);
  }

  /** Waits until the usage app has stored every request-log row of these calls' keys. */
  async function requestLogRows(prefix: string, atLeast: number): Promise<void> {
    await until(async () => (await count('select count(*) as n from request_log where key_prefix = $1', [prefix])) >= atLeast, {
      what: `${atLeast} request-log rows of ${prefix}`,
      timeoutMs: 30_000,
    });
  }

  it('P7: at the end of the countdown the user, their keys, usage, request log and workspace are gone from every table and Redis value; invoices keep their totals; the workspace they joined keeps its usage; the gateway refuses their keys within 1 s; the Polar customer is deleted', async () => {
    const leaver = await person('Leaver');
    const colleague = await person('Colleague');
    const name = (await leaver.call('GET', '/api/me')).body.user as { name: string };
    expect(name.name).toMatch(/^Leaver/);
    await join(colleague, leaver);

    // The leaver's own workspace: two keys, calls from an address of theirs; a key in the colleague's workspace too.
    const own = await newKey(leaver, leaver.workspaceId, 'own');
    const spare = await newKey(leaver, leaver.workspaceId, 'spare');
    const theirs = await newKey(leaver, colleague.workspaceId, 'in the team');
    const colleagues = await newKey(colleague, colleague.workspaceId, 'colleague');
    const leaverIp = randomIp();
    const colleagueIp = randomIp();
    for (const key of [own, spare, theirs]) for (let i = 0; i < 3; i++) expect(await callFrom(key.secret, leaverIp)).toBe(200);
    for (let i = 0; i < 3; i++) expect(await callFrom(colleagues.secret, colleagueIp)).toBe(200);
    for (const key of [own, spare, theirs, colleagues]) await requestLogRows(key.prefix, 3);
    const teamUsageBefore = await count('select count(*) as n from usage_records where workspace_id = $1', [colleague.workspaceId]);
    expect(teamUsageBefore).toBe(6);

    // Billing rows as the billing app keeps them: a customer, a subscription, two invoices, ledger rows sent and not.
    const customer = polar.state.createCustomer({ email: leaver.email, externalId: leaver.workspaceId, name: name.name, metadata: {} }, new Date());
    const subscriptionId = seedPolarSubscription(polar, customer.id);
    const orders = [`order-${randomUUID()}`, `order-${randomUUID()}`];
    const teamOrder = `order-${randomUUID()}`;
    await db.query('insert into billing_customers (workspace_id, polar_customer_id) values ($1, $2)', [leaver.workspaceId, customer.id]);
    await db.query(
      `insert into billing_subscriptions (id, workspace_id, polar_customer_id, product_id, plan, status, current_period_start, cancel_at_period_end, polar_version, updated_at)
       values ($1, $2, $3, $4, 'pro', 'active', now(), false, now(), now())`,
      [subscriptionId, leaver.workspaceId, customer.id, productIdFor('pro')],
    );
    for (const [orderId, workspaceId, total] of [
      [orders[0], leaver.workspaceId, 2000],
      [orders[1], leaver.workspaceId, 2417],
      [teamOrder, colleague.workspaceId, 999],
    ] as const) {
      await db.query(
        `insert into billing_invoices (order_id, workspace_id, polar_customer_id, number, status, billing_reason, currency, subtotal_cents, discount_cents, tax_cents, total_cents, created_at, polar_version, updated_at)
         values ($1, $2, $3, $4, 'paid', 'subscription_cycle', 'usd', $5, 0, 0, $5, now(), now(), now())`,
        [orderId, workspaceId, workspaceId === leaver.workspaceId ? customer.id : null, `INV-${orderId.slice(-6)}`, total],
      );
    }
    await db.query(`update billing_ledger set sent_at = now() where workspace_id = $1 and event_id in (select event_id from billing_ledger where workspace_id = $1 limit 4)`, [
      leaver.workspaceId,
    ]);
    // An invitation the leaver sent, still pending.
    expect((await leaver.call('POST', `/api/workspaces/${leaver.workspaceId}/members`, { email: `${label('invitee')}@console.test`, role: 'member' })).status).toBe(201);
    const dailyBefore = await db.query<{ units: string }>('select sum(units) as units from usage_daily where workspace_id = $1', [leaver.workspaceId]);
    expect(Number(dailyBefore.rows[0].units)).toBeGreaterThan(0);

    const needles = { userId: leaver.userId, email: leaver.email, name: name.name, ownPrefix: own.prefix, sparePrefix: spare.prefix, teamPrefix: theirs.prefix, ip: leaverIp };
    const storedIps = (await db.query<{ ip: string }>('select distinct ip from request_log where key_prefix = any($1)', [[own.prefix, theirs.prefix]])).rows.map((r) => r.ip);
    expect(storedIps).toHaveLength(1);
    needles.ip = storedIps[0];
    // Everything is somewhere before: the scan below can find each of them.
    // In lower case: the email is stored as the identity provider's, lowered.
    const before = ((await dumpPostgres(TEST_DATABASE_URL)) + (await dumpRedis(TEST_REDIS_URL)).toString('latin1')).toLowerCase();
    expect(Object.entries(needles).filter(([, needle]) => !before.includes(needle.toLowerCase()))).toEqual([]);

    // The countdown.
    const asked = Date.now();
    const scheduled = await leaver.call('POST', '/api/me/deletion');
    expect(scheduled.status).toBe(202);
    const deadline = new Date(scheduled.body.deletionScheduledFor as string).getTime();
    expect(deadline).toBeGreaterThanOrEqual(asked + GRACE_SECONDS * 1000 - 1000);
    expect(deadline).toBeLessThanOrEqual(Date.now() + GRACE_SECONDS * 1000 + 1000);
    expect((await leaver.call('GET', '/api/me')).body.user).toMatchObject({ deletionScheduledFor: scheduled.body.deletionScheduledFor });
    // Asked again: the same countdown, one job.
    expect((await leaver.call('POST', '/api/me/deletion')).body).toEqual(scheduled.body);
    expect(await (await maintenance.getJob(accountPurgeJobId({ userId: leaver.userId, scheduledFor: scheduled.body.deletionScheduledFor as string })))?.isDelayed()).toBe(true);
    // The account works until then.
    expect(await gatewayCall(own.secret)).toBe(200);

    // Until the purge the gateway has the key cached: a call starts every 50 ms (not waiting for the one before),
    // from this machine's address (a refused call after the purge is a new request, logged as such). The database
    // is watched every 25 ms for the user's row to go.
    let goneAt = 0;
    const watch = until(async () => !(await userExists(leaver.userId)) && (goneAt = Date.now()) > 0, {
      what: 'the account purged',
      timeoutMs: GRACE_SECONDS * 1000 + 60_000,
      intervalMs: 25,
    });
    const probes: Array<Promise<{ startedAt: number; status: number }>> = [];
    let firstRefused = 0;
    await until(
      async () => {
        const startedAt = Date.now();
        probes.push(
          gatewayCall(own.secret).then((status) => {
            if (status === 401 && !firstRefused) firstRefused = Date.now();
            return { startedAt, status };
          }),
        );
        return firstRefused > 0 && Date.now() - firstRefused > 1_000;
      },
      { what: "the gateway refusing the purged user's key", timeoutMs: GRACE_SECONDS * 1000 + 60_000, intervalMs: 50 },
    );
    await watch;
    const answers = await Promise.all(probes);
    // Every call started after this one was refused: the moment the gateway refused the key, at the latest.
    const lastAdmitted = Math.max(...answers.filter((answer) => answer.status === 200).map((answer) => answer.startedAt));
    const refusedFrom = Math.min(...answers.filter((answer) => answer.startedAt > lastAdmitted).map((answer) => answer.startedAt));
    expect(answers.filter((answer) => answer.startedAt > lastAdmitted).every((answer) => answer.status === 401)).toBe(true);
    expect(goneAt).toBeGreaterThanOrEqual(deadline);
    expect(refusedFrom - goneAt).toBeLessThan(1_000);
    expect(await gatewayCall(theirs.secret)).toBe(401);
    expect(await gatewayCall(colleagues.secret)).toBe(200);

    // The Polar customer: subscription revoked, customer deleted and anonymised; its row gone once Polar confirmed.
    await until(async () => (await count('select count(*) as n from billing_customers where workspace_id = $1', [leaver.workspaceId])) === 0, {
      what: 'the Polar customer deletion done',
      timeoutMs: 30_000,
    });
    expect(polar.state.subscriptions.get(subscriptionId)?.status).not.toBe('active');
    const deleted = polar.state.customers.get(customer.id);
    expect(deleted?.deletedAt).not.toBeNull();
    expect(JSON.stringify(deleted)).not.toContain(leaver.email);
    expect(polar.state.customerByExternalId(leaver.workspaceId)).toBeUndefined();

    // Calls in flight before the purge are consumed by now; the event queue holds nothing of them.
    await until(async () => (await eventsWaiting(queueRedis, system.prefix)) === 0, { what: 'the events queue drained', timeoutMs: 30_000 });

    // Every table, every Redis value: nothing of the user.
    const stores = { postgres: (await dumpPostgres(TEST_DATABASE_URL)).toLowerCase(), redis: (await dumpRedis(TEST_REDIS_URL)).toString('latin1').toLowerCase() };
    const found = Object.entries(stores).flatMap(([store, text]) =>
      Object.entries(needles)
        .filter(([, needle]) => text.includes(needle.toLowerCase()))
        .map(([what]) => `${store}: ${what}`),
    );
    expect(found).toEqual([]);

    // Gone: the workspace and what was in it.
    expect(await count('select count(*) as n from workspaces where id = $1', [leaver.workspaceId])).toBe(0);
    // Calls admitted just before the purge are recorded after it (P4: each billed call has its record), naming no one.
    expect(await count('select count(*) as n from usage_records where workspace_id = $1 and user_id <> $2', [leaver.workspaceId, NIL_USER_ID])).toBe(0);
    for (const table of ['request_log', 'api_keys', 'memberships', 'invitations']) {
      expect([table, await count(`select count(*) as n from ${table} where workspace_id = $1`, [leaver.workspaceId])]).toEqual([table, 0]);
    }
    expect(await count('select count(*) as n from billing_ledger where workspace_id = $1 and sent_at is null', [leaver.workspaceId])).toBe(0);
    // Kept for the books, naming no one: sent ledger rows, rollups, invoices with the same totals, the subscription.
    expect(await count('select count(*) as n from billing_ledger where workspace_id = $1 and sent_at is not null', [leaver.workspaceId])).toBe(4);
    const dailyAfter = await db.query<{ units: string }>('select sum(units) as units from usage_daily where workspace_id = $1', [leaver.workspaceId]);
    expect(Number(dailyAfter.rows[0].units)).toBeGreaterThanOrEqual(Number(dailyBefore.rows[0].units));
    const invoices = await db.query<{ order_id: string; workspace_id: string | null; polar_customer_id: string | null; total_cents: string }>(
      'select order_id, workspace_id, polar_customer_id, total_cents from billing_invoices where order_id = any($1) order by total_cents',
      [[...orders, teamOrder]],
    );
    expect(invoices.rows.reduce((sum, row) => sum + Number(row.total_cents), 0)).toBe(2000 + 2417 + 999);
    expect(invoices.rows.map((row) => [row.order_id, row.workspace_id, row.polar_customer_id])).toEqual([
      [teamOrder, colleague.workspaceId, null],
      [orders[0], null, null],
      [orders[1], null, null],
    ]);
    expect((await db.query('select workspace_id, polar_customer_id from billing_subscriptions where id = $1', [subscriptionId])).rows).toEqual([
      { workspace_id: null, polar_customer_id: null },
    ]);

    // The colleague's workspace goes on: its usage is all there (the leaver's calls naming no one), their own intact.
    // (One more call of the colleague's since: the one that showed their key still admitted.)
    expect(await count('select count(*) as n from usage_records where workspace_id = $1', [colleague.workspaceId])).toBe(teamUsageBefore + 1);
    expect(await count('select count(*) as n from usage_records where workspace_id = $1 and user_id = $2', [colleague.workspaceId, colleague.userId])).toBe(4);
    expect(await count('select count(*) as n from usage_records where workspace_id = $1 and user_id = $2', [colleague.workspaceId, NIL_USER_ID])).toBe(3);
    expect(await count('select count(*) as n from request_log where key_prefix = $1', [colleagues.prefix])).toBe(4);
    const team = await colleague.call('GET', `/api/workspaces/${colleague.workspaceId}/members`);
    expect((team.body.members as Array<{ userId: string }>).map((member) => member.userId)).toEqual([colleague.userId]);
  }, 180_000);

  it('P7: a cancelled countdown purges nothing: its job is withdrawn, and past the deadline the account and its data are all there', async () => {
    const stayer = await person('Stayer');
    const key = await newKey(stayer, stayer.workspaceId, 'kept');
    expect(await gatewayCall(key.secret)).toBe(200);
    await requestLogRows(key.prefix, 1);
    const scheduled = await stayer.call('POST', '/api/me/deletion');
    expect(scheduled.status).toBe(202);
    const scheduledFor = scheduled.body.deletionScheduledFor as string;
    const jobId = accountPurgeJobId({ userId: stayer.userId, scheduledFor });
    expect(await maintenance.getJob(jobId)).toBeDefined();

    expect((await stayer.call('DELETE', '/api/me/deletion')).status).toBe(204);
    expect((await stayer.call('GET', '/api/me')).body.user).toMatchObject({ deletionScheduledFor: null });
    expect(await maintenance.getJob(jobId)).toBeUndefined();
    // Cancelled again: still nothing pending, still 204.
    expect((await stayer.call('DELETE', '/api/me/deletion')).status).toBe(204);

    await new Promise((resolve) => setTimeout(resolve, new Date(scheduledFor).getTime() - Date.now() + 3_000));
    expect(await userExists(stayer.userId)).toBe(true);
    expect(await gatewayCall(key.secret)).toBe(200);
    expect(await count('select count(*) as n from usage_records where user_id = $1', [stayer.userId])).toBeGreaterThanOrEqual(1);
    expect(await count('select count(*) as n from workspaces where id = $1', [stayer.workspaceId])).toBe(1);
  }, 60_000);

  it('P7: a purge job that finds its countdown cancelled (its withdrawal missed) purges nothing', async () => {
    const stayer = await person('Missed');
    const scheduled = await stayer.call('POST', '/api/me/deletion');
    const scheduledFor = scheduled.body.deletionScheduledFor as string;
    // A cancellation whose job withdrawal did not happen: the column cleared, the job left in the queue.
    await db.query('update users set deletion_scheduled_for = null where id = $1', [stayer.userId]);
    const jobId = accountPurgeJobId({ userId: stayer.userId, scheduledFor });
    await until(async () => usage.logs().includes(`account purge job ${jobId}: no deletion due`), { what: 'the purge job run', timeoutMs: GRACE_SECONDS * 1000 + 30_000 });
    expect(await userExists(stayer.userId)).toBe(true);
    expect(await count('select count(*) as n from workspaces where id = $1', [stayer.workspaceId])).toBe(1);
  }, 60_000);

  it('P7: 409 conflict while the caller is the only owner of a workspace with other members; accepted once they are gone', async () => {
    const owner = await person('Owner');
    const member = await person('Member');
    await join(owner, member);
    const refused = await owner.call('POST', '/api/me/deletion');
    expect(refused.status).toBe(409);
    expect(refused.body.error).toMatchObject({ code: 'conflict' });
    expect((await owner.call('GET', '/api/me')).body.user).toMatchObject({ deletionScheduledFor: null });
    // The member may delete their own account: they own nothing others use.
    const memberAsks = await member.call('POST', '/api/me/deletion');
    expect(memberAsks.status).toBe(202);
    expect((await member.call('DELETE', '/api/me/deletion')).status).toBe(204);

    expect((await owner.call('DELETE', `/api/workspaces/${owner.workspaceId}/members/${member.userId}`)).status).toBe(204);
    expect((await owner.call('POST', '/api/me/deletion')).status).toBe(202);
    expect((await owner.call('DELETE', '/api/me/deletion')).status).toBe(204);
  }, 60_000);

  it('P7: the purge job survives a restart of the usage app and runs once', async () => {
    const leaver = await person('Restart');
    await stopUsage(true);
    const scheduled = await leaver.call('POST', '/api/me/deletion');
    expect(scheduled.status).toBe(202);
    const scheduledFor = scheduled.body.deletionScheduledFor as string;
    const jobId = accountPurgeJobId({ userId: leaver.userId, scheduledFor });
    // Past the deadline with no usage app running: nothing happens.
    await new Promise((resolve) => setTimeout(resolve, new Date(scheduledFor).getTime() - Date.now() + 1_000));
    expect(await userExists(leaver.userId)).toBe(true);

    await startUsage();
    await until(async () => !(await userExists(leaver.userId)), { what: 'the account purged after the restart', timeoutMs: 30_000 });
    await until(async () => (await maintenance.getJob(jobId)) === undefined, { what: 'the purge job done', timeoutMs: 10_000 });
    const purged = [...usageLogs, usage.logs()].join('\n').split('\n').filter((line) => line.includes(`account purge job ${jobId}: account purged`));
    expect(purged).toHaveLength(1);
  }, 90_000);
});

/** Jobs of the events queue not yet consumed (waiting, active, delayed). */
async function eventsWaiting(redis: Redis, prefix: string): Promise<number> {
  const queue = new Queue(QueueName.Events, { connection: redis, prefix, streams: { events: { maxLen: 100 } } });
  try {
    const counts = await queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized');
    return Object.values(counts).reduce((sum, n) => sum + n, 0);
  } finally {
    await queue.close();
  }
}

/** An active monthly subscription of the customer to the pro product, as a checkout would have made it. */
function seedPolarSubscription(polar: PolarLocal, customerId: string): string {
  const now = new Date();
  const id = randomUUID();
  polar.state.subscriptions.set(id, {
    id,
    customerId,
    productId: productIdFor('pro'),
    checkoutId: null,
    status: 'active',
    amount: 2000,
    currentPeriodStart: now,
    currentPeriodEnd: new Date(now.getTime() + 30 * 24 * 3600 * 1000),
    startedAt: now,
    createdAt: now,
    modifiedAt: null,
    canceledAt: null,
    endsAt: null,
    endedAt: null,
  });
  return id;
}
