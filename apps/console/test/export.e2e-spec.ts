import { randomUUID } from 'node:crypto';
import http from 'node:http';
import { Client } from 'pg';
import { type RequestLogRow, TEST_DATABASE_URL, type UsageDailyRow, type UsageRecordRow, insertUsageRows, until, unzipText } from '@nomosly/testing';
import { EXPORT_APPLICATION_NAME } from '../src/export/export-pool';
import { rowsOf } from './export-zip';
import { type ConsoleUnderTest, type TestUser, call, signIn, startConsoleUnderTest } from './helpers';

const FILES = [
  'profile.json',
  'workspaces.json',
  'memberships.json',
  'invitations.json',
  'api_keys.json',
  'usage_daily.json',
  'subscriptions.json',
  'invoices.json',
  'usage_records.jsonl',
  'request_log.jsonl',
];

/** How each file's rows are told apart: the table's primary key. */
const ROW_ID: Record<string, (row: Record<string, unknown>) => string> = {
  'profile.json': (row) => String(row.id),
  'workspaces.json': (row) => String(row.id),
  'memberships.json': (row) => `${String(row.workspace_id)}/${String(row.user_id)}`,
  'invitations.json': (row) => String(row.id),
  'api_keys.json': (row) => String(row.id),
  'usage_daily.json': (row) => `${String(row.workspace_id)}/${String(row.key_id)}/${String(row.operation)}/${String(row.day)}`,
  'subscriptions.json': (row) => String(row.id),
  'invoices.json': (row) => String(row.order_id),
  'usage_records.jsonl': (row) => String(row.event_id),
  'request_log.jsonl': (row) => String(row.request_id),
};

let system: ConsoleUnderTest;
let db: Client;
beforeAll(async () => {
  system = await startConsoleUnderTest();
  db = new Client({ connectionString: TEST_DATABASE_URL });
  await db.connect();
});
afterAll(async () => {
  await db?.end();
  await system?.stop();
});

async function download(user: TestUser): Promise<{ status: number; headers: Headers; zip: Buffer }> {
  const response = await fetch(`${system.console.url}/api/me/export`, { headers: { authorization: `Bearer ${user.token}` } });
  return { status: response.status, headers: response.headers, zip: Buffer.from(await response.arrayBuffer()) };
}

/** Rows all exports so far have taken from their cursors (the console's console_export_rows_total). */
async function exportRowsTaken(): Promise<number> {
  const metrics = await (await fetch(`${system.console.url}/metrics`)).text();
  const value = /^console_export_rows_total(?:\{[^}]*\})? (\d+)$/m.exec(metrics)?.[1];
  if (value === undefined) throw new Error('no console_export_rows_total in /metrics');
  return Number(value);
}

async function ids(sql: string, params: unknown[]): Promise<string[]> {
  return (await db.query<{ id: string }>(sql, params)).rows.map((row) => row.id).sort();
}

async function key(user: TestUser, workspaceId: string, name: string): Promise<{ id: string; prefix: string; workspaceId: string; userId: string }> {
  const created = await user.call('POST', `/api/workspaces/${workspaceId}/keys`, { name });
  if (created.status !== 201) throw new Error(`key: ${created.status} ${created.text}`);
  return { ...(created.body.key as { id: string; prefix: string }), workspaceId, userId: user.userId };
}

async function invite(by: TestUser, email: string): Promise<string> {
  const invited = await by.call('POST', `/api/workspaces/${by.workspaceId}/members`, { email, role: 'member' });
  if (invited.status !== 201) throw new Error(`invite: ${invited.status} ${invited.text}`);
  return (invited.body.invitation as { id: string }).id;
}

async function join(user: TestUser, by: TestUser): Promise<void> {
  const accepted = await user.call('POST', `/api/me/invitations/${await invite(by, user.email)}/accept`);
  if (accepted.status !== 200) throw new Error(`accept: ${accepted.status} ${accepted.text}`);
}

type Key = Awaited<ReturnType<typeof key>>;

/** Usage made with a key: calls, a daily rollup and request log lines, each id naming the key. */
async function useKey(k: Key): Promise<void> {
  const records: UsageRecordRow[] = [0, 1, 2].map((i) => ({
    eventId: `p8-${k.id}-${i}`,
    workspaceId: k.workspaceId,
    userId: k.userId,
    keyId: k.id,
    operation: 'faces.detect',
    units: 1,
    status: 200,
    latencyMs: 7,
    at: new Date(Date.UTC(2026, 10, 1, 10, i)),
  }));
  const daily: UsageDailyRow[] = [{ workspaceId: k.workspaceId, keyId: k.id, operation: 'faces.detect', day: '2026-11-01', calls: 3, units: 3 }];
  const requests: RequestLogRow[] = [0, 1].map((i) => ({
    requestId: `p8-req-${k.id}-${i}`,
    workspaceId: k.workspaceId,
    at: new Date(Date.UTC(2026, 10, 1, 10, i)),
    ip: '192.0.2.8',
    method: 'POST',
    path: '/v1/faces/detect',
    status: 200,
    latencyMs: 7,
    keyPrefix: k.prefix,
  }));
  await insertUsageRows(TEST_DATABASE_URL, { records, daily, requests });
}

async function billWorkspace(workspaceId: string): Promise<{ subscriptionId: string; orderId: string }> {
  const subscriptionId = `p8-sub-${randomUUID()}`;
  const orderId = `p8-order-${randomUUID()}`;
  await db.query(
    `insert into billing_subscriptions (id, workspace_id, polar_customer_id, product_id, plan, status, current_period_start, cancel_at_period_end, polar_version, updated_at)
     values ($1, $2, 'cus_p8', 'prod_p8', 'pro', 'active', now(), false, now(), now())`,
    [subscriptionId, workspaceId],
  );
  await db.query(
    `insert into billing_invoices (order_id, workspace_id, polar_customer_id, subscription_id, number, status, billing_reason, currency,
                                   subtotal_cents, discount_cents, tax_cents, total_cents, created_at, polar_version, updated_at)
     values ($1, $2, 'cus_p8', $3, 'INV-P8', 'paid', 'subscription_cycle', 'usd', 1000, 0, 0, 1000, now(), now(), now())`,
    [orderId, workspaceId, subscriptionId],
  );
  return { subscriptionId, orderId };
}

describe('P8: GET /api/me/export', () => {
  it('P8: for an owner of one workspace and member of another, every table holding their rows is in the zip, complete, with no one else\'s rows and no key hash', async () => {
    const url = system.console.url;
    const [a, b, o, x] = [
      await signIn(url, system.issuer, 'p8-a'),
      await signIn(url, system.issuer, 'p8-b'),
      await signIn(url, system.issuer, 'p8-o'),
      await signIn(url, system.issuer, 'p8-x'),
    ];
    const [wa, wo] = [a.workspaceId, o.workspaceId];
    // A owns WA, where B is a member; A is a member of O's WO; X, a stranger, has invited A's email to WX.
    await join(b, a);
    await join(a, o);
    const strangerEmail = `p8-someone-${randomUUID().slice(0, 8)}@console.test`;
    await invite(a, `p8-pending-${randomUUID().slice(0, 8)}@console.test`);
    await invite(o, strangerEmail);
    await invite(x, a.email);
    const keys = {
      a: await key(a, wa, 'a in wa'),
      b: await key(b, wa, 'b in wa'),
      aInO: await key(a, wo, 'a in wo'),
      o: await key(o, wo, 'o in wo'),
      x: await key(x, x.workspaceId, 'x'),
      bOwn: await key(b, b.workspaceId, 'b own'),
    };
    for (const k of Object.values(keys)) await useKey(k);
    // A request of WA's made with no key (refused before a key was known) is WA's too; WO's is not A's.
    const keylessRequest = (workspaceId: string): RequestLogRow => ({
      requestId: `p8-req-keyless-${randomUUID()}`,
      workspaceId,
      at: new Date(),
      ip: '192.0.2.9',
      method: 'POST',
      path: '/v1/labels/detect',
      status: 401,
      latencyMs: 1,
      keyPrefix: null,
    });
    const [waKeyless, woKeyless] = [keylessRequest(wa), keylessRequest(wo)];
    await insertUsageRows(TEST_DATABASE_URL, { requests: [waKeyless, woKeyless] });
    const billed = { wa: await billWorkspace(wa), wo: await billWorkspace(wo), wx: await billWorkspace(x.workspaceId) };

    const response = await download(a);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/zip');
    expect(response.headers.get('content-disposition')).toMatch(/^attachment; filename="nomosly-export-\d{4}-\d\d-\d\d\.zip"$/);
    const files = await unzipText(response.zip);
    expect([...files.keys()]).toEqual(['README.txt', ...FILES]);
    const readme = files.get('README.txt') ?? '';
    expect(FILES.filter((name) => !readme.includes(name))).toEqual([]);

    // What the database holds of A's, asked per table in terms of this scenario.
    const expected: Record<string, string[]> = {
      'profile.json': [a.userId],
      'workspaces.json': await ids('select id::text as id from workspaces where id = $1', [wa]),
      'memberships.json': await ids(
        `select workspace_id || '/' || user_id as id from memberships where workspace_id = $1 or (workspace_id = $2 and user_id = $3)`,
        [wa, wo, a.userId],
      ),
      'invitations.json': await ids(
        `select id::text as id from invitations
          where workspace_id = $1 or (workspace_id in ($2, $3) and (email = $4 or accepted_by_id = $5 or invited_by_id = $5))`,
        [wa, wo, x.workspaceId, a.email, a.userId],
      ),
      'api_keys.json': await ids('select id::text as id from api_keys where workspace_id = $1 or (workspace_id = $2 and created_by_id = $3)', [wa, wo, a.userId]),
      'usage_daily.json': await ids(
        `select workspace_id || '/' || key_id || '/' || operation || '/' || to_char(day, 'YYYY-MM-DD') as id from usage_daily
          where workspace_id = $1 or key_id = $2`,
        [wa, keys.aInO.id],
      ),
      'subscriptions.json': await ids('select id from billing_subscriptions where workspace_id = $1', [wa]),
      'invoices.json': await ids('select order_id as id from billing_invoices where workspace_id = $1', [wa]),
      'usage_records.jsonl': await ids('select event_id as id from usage_records where workspace_id = $1 or (workspace_id = $2 and user_id = $3)', [wa, wo, a.userId]),
      'request_log.jsonl': await ids('select request_id as id from request_log where workspace_id = $1 or (workspace_id = $2 and key_prefix = $3)', [wa, wo, keys.aInO.prefix]),
    };
    // The scenario really put rows of A's in every table (counts from the database, not from the export).
    expect(Object.fromEntries(FILES.map((name) => [name, expected[name]?.length]))).toEqual({
      'profile.json': 1,
      'workspaces.json': 1,
      'memberships.json': 3,
      'invitations.json': 4,
      'api_keys.json': 3,
      'usage_daily.json': 3,
      'subscriptions.json': 1,
      'invoices.json': 1,
      'usage_records.jsonl': 9,
      'request_log.jsonl': 7,
    });
    const exported = Object.fromEntries(FILES.map((name) => [name, rowsOf(name, files.get(name) ?? '').map(ROW_ID[name]).sort()]));
    expect(exported).toEqual(expected);

    // Nothing of anyone else's: not O's or X's keys, usage, requests, billing or addresses, nor B's own workspace.
    const everything = [...files.values()].join('\n');
    const foreign = [
      keys.o.id,
      keys.x.id,
      keys.bOwn.id,
      b.workspaceId,
      o.email,
      x.email,
      strangerEmail,
      woKeyless.requestId,
      ...Object.values(billed.wo),
      ...Object.values(billed.wx),
    ];
    expect(foreign.filter((marker) => everything.includes(marker))).toEqual([]);
    // No key's hash, of any key in the database.
    const hashes = (await db.query<{ hash: string }>('select hash from api_keys')).rows.map((row) => row.hash);
    expect(hashes.length).toBeGreaterThanOrEqual(6);
    expect(hashes.filter((hash) => everything.includes(hash))).toEqual([]);
    expect(rowsOf('api_keys.json', files.get('api_keys.json') ?? '').filter((row) => 'hash' in row)).toEqual([]);

    const profile = JSON.parse(files.get('profile.json') ?? '') as Record<string, unknown>;
    expect(profile).toMatchObject({ id: a.userId, email: a.email, email_verified: true, marketing_opt_in: false });
    expect(profile.created_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?\+00:00$/);
  }, 120_000);

  it('P8: a client that stops reading stops the export taking rows; one that disconnects mid-export gets its database connection closed', async () => {
    const RECORDS = 300_000;
    const user = await signIn(system.console.url, system.issuer, 'p8-leaver');
    const k = await key(user, user.workspaceId, 'many');
    // Enough rows, with long random ids that do not compress away, that the zip cannot fit in the socket buffers
    // (several MiB on loopback).
    await db.query(
      `insert into usage_records (event_id, workspace_id, user_id, key_id, operation, units, status, latency_ms, at)
       select md5(random()::text) || md5(random()::text) || md5(random()::text) || md5(random()::text || g), $1, $2, $3,
              'faces.detect', 1, 200, 5, now() - g * interval '1 second'
         from generate_series(1, $4::int) g`,
      [user.workspaceId, user.userId, k.id, RECORDS],
    );
    try {
      const exportConnections = async () =>
        (
          await db.query<{ pid: number; state: string }>(
            `select pid, state from pg_stat_activity where application_name = $1 and state <> 'idle'`,
            [EXPORT_APPLICATION_NAME],
          )
        ).rows;
      expect(await exportConnections()).toEqual([]);

      const rowsBefore = await exportRowsTaken();
      // A connection of its own (no keep-alive agent), closed by destroy() below.
      const request = http.get(`${system.console.url}/api/me/export`, { agent: false, headers: { authorization: `Bearer ${user.token}` } });
      request.on('error', () => undefined);
      const firstBytes = new Promise<number>((resolve) =>
        request.on('response', (response) => {
          response.once('data', (chunk: Buffer) => {
            // The client stops reading after its first chunk.
            response.pause();
            resolve(response.statusCode ?? 0);
            void chunk;
          });
        }),
      );
      expect(await firstBytes).toBe(200);
      let pid = 0;
      await until(
        async () => {
          pid = (await exportConnections())[0]?.pid ?? 0;
          return pid !== 0;
        },
        { what: 'the export has a connection in a transaction', timeoutMs: 30_000 },
      );
      // The stalled client holds the export where it is: once the buffers between the cursor and the socket are
      // full, the console takes no more rows from the database (it would take all 300,000 into memory if it did).
      let taken = (await exportRowsTaken()) - rowsBefore;
      let unchangedSince = Date.now();
      await until(
        async () => {
          const now = (await exportRowsTaken()) - rowsBefore;
          if (now !== taken) [taken, unchangedSince] = [now, Date.now()];
          return Date.now() - unchangedSince >= 3_000;
        },
        { what: 'the export stops taking rows while its client does not read', timeoutMs: 90_000, intervalMs: 250 },
      );
      expect(taken).toBeLessThan(RECORDS / 2);
      expect((await exportConnections()).map((row) => row.pid)).toEqual([pid]);

      request.destroy();
      await until(async () => (await db.query('select 1 from pg_stat_activity where pid = $1', [pid])).rowCount === 0, {
        what: 'the abandoned export connection is closed',
        timeoutMs: 30_000,
      });
      expect(await exportConnections()).toEqual([]);

      // And the console goes on serving exports.
      const next = await download(await signIn(system.console.url, system.issuer, 'p8-after'));
      expect(next.status).toBe(200);
      expect((await unzipText(next.zip)).size).toBe(FILES.length + 1);
    } finally {
      await db.query('delete from usage_records where workspace_id = $1', [user.workspaceId]);
    }
  }, 180_000);

  it('P8: without a token the export is 401 unauthenticated', async () => {
    const response = await call(system.console.url, null, 'GET', '/api/me/export');
    expect(response.status).toBe(401);
    expect(response.body.error?.code).toBe('unauthenticated');
  });
});
