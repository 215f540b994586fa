import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { type ScratchDatabase, TEST_REDIS_URL, createScratchDatabase, deleteKeys, insertUsageRows, runScheduledSweep, uniquePrefix } from '@nomosly/testing';
import { type ConsoleUnderTest, call, startConsoleUnderTest } from './helpers';

const DAY_MS = 24 * 60 * 60 * 1000;
/** One deployment's settings, given alike to the console and to the usage app: neither is a default. */
const RETENTION_ENV = { RETENTION_REQUEST_LOG_DAYS: '10', RETENTION_USAGE_RECORD_DAYS: '40' };

interface PrivacyBody {
  retention: Array<{ data: string; keptFor: string; days: number | null }>;
  subprocessors: Array<{ name: string; purpose: string; data: string }>;
  cookies: Array<{ name: string; purpose: string }>;
}

/**
 * P6: the privacy page (GET /api/privacy) and the retention sweep read one table, set by the same RETENTION_*
 * variables: a deployment that changes a setting sees both move. The sweep runs against a database of its own
 * (it deletes every expired row of a table).
 */
describe('P6: the privacy notice and the retention sweep read one table', () => {
  const prefix = uniquePrefix('privacy-notice');
  let consoleApp: ConsoleUnderTest;
  let database: ScratchDatabase;

  beforeAll(async () => {
    [consoleApp, database] = await Promise.all([startConsoleUnderTest(RETENTION_ENV), createScratchDatabase('privacy_notice')]);
  }, 120_000);
  afterAll(async () => {
    await deleteKeys(TEST_REDIS_URL, `${prefix}:*`);
    await database?.drop();
    await consoleApp?.stop();
  });

  const daysOf = (body: PrivacyBody, data: RegExp) => body.retention.find((row) => data.test(row.data))?.days;

  it('P6 P12: GET /api/privacy answers without authentication, sets no cookie, and lists retention, subprocessors and cookies', async () => {
    const response = await call(consoleApp.console.url, null, 'GET', '/api/privacy');
    expect(response.status).toBe(200);
    expect(response.headers.get('set-cookie')).toBeNull();
    const body = response.body as unknown as PrivacyBody;
    expect(Object.keys(body).sort()).toEqual(['cookies', 'retention', 'subprocessors']);
    expect(daysOf(body, /^Server logs/)).toBe(30);
    expect(daysOf(body, /^Daily usage rollups/)).toBe(2557);
    expect(daysOf(body, /^Images/)).toBe(0);
    expect(daysOf(body, /^Account data/)).toBeNull();
    expect(body.subprocessors.map((row) => row.name)).toEqual(expect.arrayContaining(['Polar', 'Auth0', 'Amazon Web Services (Rekognition)']));
    // P12: one row per cookie name, the identity provider's only: Auth0's in production, idp-local's (oidc-provider's, signed) locally.
    expect(body.cookies.map((row) => row.name).sort()).toEqual(
      ['_interaction', '_interaction.sig', '_interaction_resume', '_interaction_resume.sig', '_session', '_session.sig', 'auth0', 'auth0_compat', 'did', 'did_compat'],
    );
  });

  it('P6: with RETENTION_REQUEST_LOG_DAYS=10 and RETENTION_USAGE_RECORD_DAYS=40, the notice says 10 and 40 and the sweep keeps exactly that', async () => {
    const body = (await call(consoleApp.console.url, null, 'GET', '/api/privacy')).body as unknown as PrivacyBody;
    expect(daysOf(body, /^Request log/)).toBe(10);
    expect(daysOf(body, /^Per-call usage records/)).toBe(40);
    expect(body.retention.find((row) => /^Request log/.test(row.data))?.keptFor).toBe('10 days');

    const now = Date.now();
    const ago = (days: number) => new Date(now - days * DAY_MS);
    const workspaceId = randomUUID();
    const request = (requestId: string, at: Date) => ({ requestId, workspaceId, at, ip: '127.0.0.1', method: 'POST', path: '/v1/faces/detect', status: 200, latencyMs: 5, keyPrefix: null });
    const record = (eventId: string, at: Date) => ({ eventId, workspaceId, userId: randomUUID(), keyId: randomUUID(), operation: 'faces.detect', units: 1, status: 200, latencyMs: 5, at });
    await insertUsageRows(database.url, {
      requests: [request('log-9-days', ago(9)), request('log-11-days', ago(11))],
      records: [record('rec-39-days', ago(39)), record('rec-41-days', ago(41))],
    });

    const sweep = await runScheduledSweep({ databaseUrl: database.url, prefix, env: RETENTION_ENV });
    expect(sweep.returnvalue).toMatchObject({ requestLog: 1, usageRecords: 1 });
    const db = new Client({ connectionString: database.url });
    await db.connect();
    try {
      const ids = async (sql: string) => (await db.query<{ id: string }>(sql)).rows.map((row) => row.id).sort();
      expect(await ids('select request_id as id from request_log')).toEqual(['log-9-days']);
      expect(await ids('select event_id as id from usage_records')).toEqual(['rec-39-days']);
    } finally {
      await db.end();
    }
  });
});
