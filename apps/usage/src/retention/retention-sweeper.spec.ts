import { randomUUID } from 'node:crypto';
import { MikroORM } from '@mikro-orm/postgresql';
import { Client } from 'pg';
import { RETENTION_DEFAULTS, type Retention, retentionCutoffs } from '@nomosly/contracts';
import { ormConfig } from '@nomosly/db';
import { TEST_DATABASE_URL, insertUsageRows } from '@nomosly/testing';
import { RetentionSweeper } from './retention-sweeper';

const DAY_MS = 24 * 60 * 60 * 1000;
// A controlled clock far in the past, so that the rows other specs write now are never near a limit.
const NOW = new Date('2001-06-15T12:30:00.000Z');
const RETENTION: Retention = { ...RETENTION_DEFAULTS };
const NO_BILLING = { billingLedger: 0, billingReconciliations: 0, billingWebhookEvents: 0, billingInvoices: 0 };

describe('RetentionSweeper', () => {
  let orm: MikroORM;
  let db: Client;
  // Each test's rows under a workspace of its own, removed after it: the sweeps see every row of the table.
  let workspaceId: string;

  beforeAll(async () => {
    orm = await MikroORM.init(ormConfig({ url: TEST_DATABASE_URL, poolSize: 2 }));
    db = new Client({ connectionString: TEST_DATABASE_URL });
    await db.connect();
  });

  beforeEach(() => {
    workspaceId = randomUUID();
  });

  afterEach(async () => {
    await db.query('delete from request_log where workspace_id = $1', [workspaceId]);
    await db.query('delete from usage_records where workspace_id = $1', [workspaceId]);
    await db.query('delete from usage_daily where workspace_id = $1', [workspaceId]);
    await db.query('delete from billing_ledger where workspace_id = $1', [workspaceId]);
    await db.query('delete from billing_reconciliations where workspace_id = $1', [workspaceId]);
    await db.query('delete from billing_invoices where workspace_id = $1', [workspaceId]);
    await db.query(`delete from billing_webhook_events where webhook_id like $1 || ':%'`, [workspaceId]);
    await db.query('delete from workspaces where id = $1', [workspaceId]); // and its invitations, by cascade
  });

  afterAll(async () => {
    await db.end();
    await orm.close(true);
  });

  const ago = (days: number, extraMs = 0) => new Date(NOW.getTime() - days * DAY_MS - extraMs);
  const dayOf = (date: Date) => date.toISOString().slice(0, 10);

  async function insertRequestLog(id: string, at: Date): Promise<void> {
    await insertUsageRows(TEST_DATABASE_URL, {
      requests: [{ requestId: id, workspaceId, at, ip: '127.0.0.1', method: 'POST', path: '/v1/faces/detect', status: 200, latencyMs: 5, keyPrefix: null }],
    });
  }
  async function insertUsageRecord(id: string, at: Date): Promise<void> {
    await insertUsageRows(TEST_DATABASE_URL, {
      records: [{ eventId: id, workspaceId, userId: randomUUID(), keyId: randomUUID(), operation: 'faces.detect', units: 1, status: 200, latencyMs: 5, at }],
    });
  }
  async function insertRollup(operation: string, day: string): Promise<void> {
    await insertUsageRows(TEST_DATABASE_URL, { daily: [{ workspaceId, keyId: randomUUID(), operation, day, calls: 1, units: 1 }] });
  }
  /** An invitation of `label`@retention.test to this test's workspace (made on first use), settled as given. */
  async function insertInvitation(label: string, expiresAt: Date, acceptedAt: Date | null): Promise<void> {
    await db.query(`insert into workspaces (id, name) values ($1, 'retention') on conflict do nothing`, [workspaceId]);
    await db.query(
      `insert into invitations (id, workspace_id, email, role, created_at, expires_at, accepted_at) values ($1, $2, $3, 'member', $4, $5, $6)`,
      [randomUUID(), workspaceId, `${label}@retention.test`, new Date(expiresAt.getTime() - 7 * DAY_MS), expiresAt, acceptedAt],
    );
  }
  /** A ledger row: sent, parked, or still owed to Polar. */
  async function insertLedgerRow(id: string, at: Date, state: 'sent' | 'parked' | 'unsent'): Promise<void> {
    await db.query(
      `insert into billing_ledger (event_id, workspace_id, operation, units, "at", sent_at, parked_at, last_error) values ($1, $2, 'faces.detect', 1, $3, $4, $5, $6)`,
      [id, workspaceId, at, state === 'sent' ? at : null, state === 'parked' ? at : null, state === 'parked' ? 'refused' : null],
    );
  }
  async function insertReconciliation(runId: string, at: Date): Promise<void> {
    await db.query(
      `insert into billing_reconciliations (run_id, workspace_id, period_start, ours, theirs, resent, drift, "at") values ($1, $2, $3, 1, 1, 0, 0, $3)`,
      [runId, workspaceId, at],
    );
  }
  async function insertWebhookEvent(label: string, receivedAt: Date): Promise<void> {
    await db.query(`insert into billing_webhook_events (webhook_id, type, outcome, received_at) values ($1, 'order.paid', 'applied', $2)`, [`${workspaceId}:${label}`, receivedAt]);
  }
  async function insertInvoice(number: string, createdAt: Date): Promise<void> {
    await db.query(
      `insert into billing_invoices (order_id, workspace_id, number, status, billing_reason, currency, subtotal_cents, discount_cents, tax_cents, total_cents, created_at, polar_version, updated_at)
       values ($1, $2, $3, 'paid', 'subscription_cycle', 'usd', 100, 0, 0, 100, $4, $4, $4)`,
      [randomUUID(), workspaceId, number, createdAt],
    );
  }
  const ids = async (sql: string) => (await db.query<{ id: string }>(sql, [workspaceId])).rows.map((row) => row.id).sort();

  it('P6: deletes exactly the rows past each retention limit at the given time, in chunks, and nothing else', async () => {
    const cutoffs = retentionCutoffs(RETENTION, NOW);
    expect(cutoffs.requestLogFrom).toEqual(ago(RETENTION.requestLogDays));

    // Request log: 30 days. At the limit is kept; a millisecond older is not.
    await insertRequestLog('log-fresh', ago(0));
    await insertRequestLog('log-at-limit', ago(RETENTION.requestLogDays));
    await insertRequestLog('log-expired-1ms', ago(RETENTION.requestLogDays, 1));
    await insertRequestLog('log-expired-day', ago(RETENTION.requestLogDays + 1));
    await insertRequestLog('log-expired-old', ago(RETENTION.requestLogDays + 200));
    // Usage records: 400 days. A request-log age (31 days) is well inside it.
    await insertUsageRecord('rec-31-days', ago(RETENTION.requestLogDays + 1));
    await insertUsageRecord('rec-at-limit', ago(RETENTION.usageRecordDays));
    await insertUsageRecord('rec-expired-1ms', ago(RETENTION.usageRecordDays, 1));
    await insertUsageRecord('rec-expired-old', ago(RETENTION.usageRecordDays + 30));
    // Rollups: 7 years, by UTC day. The cutoff's own day is kept; the day before it is not.
    const firstKeptDay = cutoffs.usageDailyFrom;
    const lastExpiredDay = dayOf(new Date(Date.parse(firstKeptDay) - DAY_MS));
    await insertRollup('kept-401-days', dayOf(ago(RETENTION.usageRecordDays + 1)));
    await insertRollup('kept-first-day', firstKeptDay);
    await insertRollup('expired-last-day', lastExpiredDay);
    await insertRollup('expired-old', dayOf(ago(RETENTION.rollupDays + 100)));

    const deleted = await new RetentionSweeper(orm.em).sweep(RETENTION, NOW, 2);

    expect(deleted).toEqual({ requestLog: 3, usageRecords: 2, usageDaily: 2, invitations: 0, ...NO_BILLING });
    expect(await ids('select request_id as id from request_log where workspace_id = $1')).toEqual(['log-at-limit', 'log-fresh']);
    expect(await ids('select event_id as id from usage_records where workspace_id = $1')).toEqual(['rec-31-days', 'rec-at-limit']);
    expect(await ids('select operation as id from usage_daily where workspace_id = $1')).toEqual(['kept-401-days', 'kept-first-day']);

    // A second sweep at the same time finds nothing more; a day later the rows at the limit go.
    expect(await new RetentionSweeper(orm.em).sweep(RETENTION, NOW)).toEqual({ requestLog: 0, usageRecords: 0, usageDaily: 0, invitations: 0, ...NO_BILLING });
    const dayLater = new Date(NOW.getTime() + DAY_MS);
    expect(await new RetentionSweeper(orm.em).sweep(RETENTION, dayLater)).toEqual({ requestLog: 1, usageRecords: 1, usageDaily: 1, invitations: 0, ...NO_BILLING });
  });

  it('P6: follows the configured table, not the defaults', async () => {
    const short: Retention = { requestLogDays: 1, usageRecordDays: 35, rollupDays: 365, invitationDays: 2 };
    await insertRequestLog('short-log-kept', ago(1));
    await insertRequestLog('short-log-expired', ago(1, 1));
    await insertUsageRecord('short-rec-kept', ago(35));
    await insertUsageRecord('short-rec-expired', ago(35, 1));
    await insertRollup('short-kept', retentionCutoffs(short, NOW).usageDailyFrom);
    await insertRollup('short-expired', dayOf(ago(366)));

    expect(await new RetentionSweeper(orm.em).sweep(short, NOW)).toEqual({ requestLog: 1, usageRecords: 1, usageDaily: 1, invitations: 0, ...NO_BILLING });
    expect(await ids("select request_id as id from request_log where workspace_id = $1 and request_id like 'short-%'")).toEqual(['short-log-kept']);
    expect(await ids("select event_id as id from usage_records where workspace_id = $1 and event_id like 'short-%'")).toEqual(['short-rec-kept']);
    expect(await ids("select operation as id from usage_daily where workspace_id = $1 and operation like 'short-%'")).toEqual(['short-kept']);
  });

  it('P6: deletes invitations, and the invitee emails in them, accepted or else expired longer ago than their retention', async () => {
    const days = RETENTION.invitationDays;
    expect(days).toBe(30);
    const inFuture = new Date(NOW.getTime() + DAY_MS);
    await insertInvitation('pending', inFuture, null);
    await insertInvitation('accepted-recently', inFuture, ago(1));
    await insertInvitation('accepted-at-limit', ago(days - 5), ago(days));
    await insertInvitation('accepted-expired', ago(days - 5), ago(days, 1));
    await insertInvitation('expired-at-limit', ago(days), null);
    await insertInvitation('expired-1ms', ago(days, 1), null);
    await insertInvitation('expired-old', ago(days + 400), null);
    const emails = () => ids("select split_part(email, '@', 1) as id from invitations where workspace_id = $1");

    expect((await new RetentionSweeper(orm.em).sweep(RETENTION, NOW, 2)).invitations).toBe(3);
    expect(await emails()).toEqual(['accepted-at-limit', 'accepted-recently', 'expired-at-limit', 'pending']);
    expect((await new RetentionSweeper(orm.em).sweep(RETENTION, new Date(NOW.getTime() + 1))).invitations).toBe(2);
    expect(await emails()).toEqual(['accepted-recently', 'pending']);
    // The configured table, not the default: 2 days from acceptance, 1 from expiry.
    const at = (ms: number) => new Date(NOW.getTime() + ms);
    expect((await new RetentionSweeper(orm.em).sweep({ ...RETENTION, invitationDays: 2 }, at(DAY_MS))).invitations).toBe(0);
    expect((await new RetentionSweeper(orm.em).sweep({ ...RETENTION, invitationDays: 2 }, at(DAY_MS + 1))).invitations).toBe(1);
    expect(await emails()).toEqual(['pending']);
    expect((await new RetentionSweeper(orm.em).sweep({ ...RETENTION, invitationDays: 1 }, at(2 * DAY_MS))).invitations).toBe(0);
    expect((await new RetentionSweeper(orm.em).sweep({ ...RETENTION, invitationDays: 1 }, at(2 * DAY_MS + 1))).invitations).toBe(1);
    expect(await emails()).toEqual([]);
  });

  it('P6: deletes ledger rows sent or parked longer ago than the usage-record limit (an unsent one is still owed), reconciliations past that limit, webhooks and invoices past the rollup limit', async () => {
    const usageDays = RETENTION.usageRecordDays;
    await insertLedgerRow('sent-at-limit', ago(usageDays), 'sent');
    await insertLedgerRow('sent-expired', ago(usageDays, 1), 'sent');
    await insertLedgerRow('parked-expired', ago(usageDays + 30), 'parked');
    await insertLedgerRow('unsent-old', ago(usageDays + 30), 'unsent');
    await insertLedgerRow('unsent-fresh', ago(1), 'unsent');
    await insertReconciliation('recon-at-limit', ago(usageDays));
    await insertReconciliation('recon-expired', ago(usageDays, 1));
    // Webhooks and invoices: the rollup limit, from the first UTC day the rollups keep.
    const firstKeptDay = new Date(`${retentionCutoffs(RETENTION, NOW).usageDailyFrom}T00:00:00.000Z`);
    const beforeIt = new Date(firstKeptDay.getTime() - 1);
    await insertWebhookEvent('hook-kept-401-days', ago(usageDays + 1));
    await insertWebhookEvent('hook-first-day', firstKeptDay);
    await insertWebhookEvent('hook-expired', beforeIt);
    await insertInvoice('inv-kept-401-days', ago(usageDays + 1));
    await insertInvoice('inv-first-day', firstKeptDay);
    await insertInvoice('inv-expired', beforeIt);
    await insertInvoice('inv-expired-old', ago(RETENTION.rollupDays + 100));

    expect(await new RetentionSweeper(orm.em).sweep(RETENTION, NOW, 1)).toEqual({
      requestLog: 0,
      usageRecords: 0,
      usageDaily: 0,
      invitations: 0,
      billingLedger: 2,
      billingReconciliations: 1,
      billingWebhookEvents: 1,
      billingInvoices: 2,
    });
    expect(await ids('select event_id as id from billing_ledger where workspace_id = $1')).toEqual(['sent-at-limit', 'unsent-fresh', 'unsent-old']);
    expect(await ids('select run_id as id from billing_reconciliations where workspace_id = $1')).toEqual(['recon-at-limit']);
    expect(await ids(`select split_part(webhook_id, ':', 2) as id from billing_webhook_events where webhook_id like $1 || ':%'`)).toEqual(['hook-first-day', 'hook-kept-401-days']);
    expect(await ids('select number as id from billing_invoices where workspace_id = $1')).toEqual(['inv-first-day', 'inv-kept-401-days']);

    // The owed row goes once it is sent, and not before.
    await db.query(`update billing_ledger set sent_at = $2 where event_id = 'unsent-old' and workspace_id = $1`, [workspaceId, NOW]);
    expect((await new RetentionSweeper(orm.em).sweep(RETENTION, NOW)).billingLedger).toBe(1);
    expect(await ids('select event_id as id from billing_ledger where workspace_id = $1')).toEqual(['sent-at-limit', 'unsent-fresh']);
  });
});
