import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { MaintenanceJob } from '@nomosly/contracts';
import { type ScratchDatabase, TEST_REDIS_URL, createScratchDatabase, deleteKeys, insertUsageRows, runScheduledSweep, uniquePrefix } from '@nomosly/testing';

const HOUR_MS = 60 * 60 * 1000;
const DAY_MS = 24 * HOUR_MS;
/** Non-default retention: every limit differs from the defaults (30, 400, 2557 days). */
const RETENTION = { requestLogDays: 3, usageRecordDays: 40, rollupDays: 2560 };

/**
 * The scheduled sweep itself (P6): the usage app schedules it from RETENTION_SWEEP_CRON (every second here) on the
 * maintenance queue and runs it from there. The app's clock is the real one, so rows are aged relative to it with a
 * margin: an hour either side of each limit (a day for rollups, which are kept by UTC day). The app runs against a
 * database of its own, because a sweep deletes every expired row of a table, other suites' included.
 */
describe('usage app: the scheduled retention sweep', () => {
  const prefix = uniquePrefix('sweep');
  let database: ScratchDatabase;
  let db: Client;

  beforeAll(async () => {
    database = await createScratchDatabase('sweep');
    db = new Client({ connectionString: database.url });
    await db.connect();
  });

  afterAll(async () => {
    await deleteKeys(TEST_REDIS_URL, `${prefix}:*`);
    await db?.end();
    await database?.drop();
  });

  it('P6: the job the scheduler puts on the maintenance queue deletes exactly the rows past the configured limits', async () => {
    const now = Date.now();
    const ago = (ms: number) => new Date(now - ms);
    const dayOf = (date: Date) => date.toISOString().slice(0, 10);
    const workspaceId = randomUUID();
    const request = (requestId: string, at: Date) => ({ requestId, workspaceId, at, ip: '127.0.0.1', method: 'POST', path: '/v1/faces/detect', status: 200, latencyMs: 5, keyPrefix: null });
    const record = (eventId: string, at: Date) => ({ eventId, workspaceId, userId: randomUUID(), keyId: randomUUID(), operation: 'faces.detect', units: 1, status: 200, latencyMs: 5, at });
    const rollup = (operation: string, day: string) => ({ workspaceId, keyId: randomUUID(), operation, day, calls: 1, units: 1 });
    await insertUsageRows(database.url, {
      requests: [
        request('log-inside', ago(RETENTION.requestLogDays * DAY_MS - HOUR_MS)),
        request('log-outside', ago(RETENTION.requestLogDays * DAY_MS + HOUR_MS)),
        // Inside the default 30 days, outside the configured 3: the configured table is what runs.
        request('log-outside-10-days', ago(10 * DAY_MS)),
      ],
      daily: [
        rollup('kept-inside', dayOf(ago((RETENTION.rollupDays - 1) * DAY_MS))),
        rollup('gone-outside', dayOf(ago((RETENTION.rollupDays + 1) * DAY_MS))),
        // Outside the default 2557 days, inside the configured 2560: kept.
        rollup('kept-2558-days', dayOf(ago(2558 * DAY_MS))),
      ],
      records: [
        record('rec-inside', ago(RETENTION.usageRecordDays * DAY_MS - HOUR_MS)),
        record('rec-outside', ago(RETENTION.usageRecordDays * DAY_MS + HOUR_MS)),
        // Inside the default 400 days, outside the configured 40.
        record('rec-outside-100-days', ago(100 * DAY_MS)),
      ],
    });

    // Billing: the ledger and reconciliations by the usage-record limit (an unsent ledger row is owed, so kept),
    // webhooks and invoices by the rollup limit.
    const ledger = (eventId: string, at: Date, sent: boolean) =>
      db.query(`insert into billing_ledger (event_id, workspace_id, operation, units, "at", sent_at) values ($1, $2, 'faces.detect', 1, $3, $4)`, [eventId, workspaceId, at, sent ? at : null]);
    await ledger('ledger-inside', ago(RETENTION.usageRecordDays * DAY_MS - HOUR_MS), true);
    await ledger('ledger-outside', ago(RETENTION.usageRecordDays * DAY_MS + HOUR_MS), true);
    await ledger('ledger-outside-100-days', ago(100 * DAY_MS), true);
    await ledger('ledger-unsent-100-days', ago(100 * DAY_MS), false);
    const reconciliation = (runId: string, at: Date) =>
      db.query(`insert into billing_reconciliations (run_id, workspace_id, period_start, ours, theirs, resent, drift, "at") values ($1, $2, $3, 1, 1, 0, 0, $3)`, [runId, workspaceId, at]);
    await reconciliation('recon-inside', ago(RETENTION.usageRecordDays * DAY_MS - HOUR_MS));
    await reconciliation('recon-outside', ago(RETENTION.usageRecordDays * DAY_MS + HOUR_MS));
    const webhook = (webhookId: string, at: Date) =>
      db.query(`insert into billing_webhook_events (webhook_id, type, outcome, received_at) values ($1, 'order.paid', 'applied', $2)`, [webhookId, at]);
    await webhook('hook-inside', ago((RETENTION.rollupDays - 1) * DAY_MS));
    await webhook('hook-outside', ago((RETENTION.rollupDays + 1) * DAY_MS));
    await webhook('hook-2558-days', ago(2558 * DAY_MS));
    const invoice = (number: string, at: Date) =>
      db.query(
        `insert into billing_invoices (order_id, workspace_id, number, status, billing_reason, currency, subtotal_cents, discount_cents, tax_cents, total_cents, created_at, polar_version, updated_at)
         values ($1, $2, $3, 'paid', 'subscription_cycle', 'usd', 100, 0, 0, 100, $4, $4, $4)`,
        [randomUUID(), workspaceId, number, at],
      );
    await invoice('inv-inside', ago((RETENTION.rollupDays - 1) * DAY_MS));
    await invoice('inv-outside', ago((RETENTION.rollupDays + 1) * DAY_MS));
    await invoice('inv-2558-days', ago(2558 * DAY_MS));

    const sweep = await runScheduledSweep({
      databaseUrl: database.url,
      prefix,
      env: {
        RETENTION_REQUEST_LOG_DAYS: String(RETENTION.requestLogDays),
        RETENTION_USAGE_RECORD_DAYS: String(RETENTION.usageRecordDays),
        RETENTION_ROLLUP_DAYS: String(RETENTION.rollupDays),
      },
    });
    expect(sweep.name).toBe(MaintenanceJob.RetentionSweep);
    // A database of this test's own: no invitation to sweep (the sweeper spec proves that count).
    expect(sweep.returnvalue).toEqual({
      requestLog: 2,
      usageRecords: 2,
      usageDaily: 1,
      invitations: 0,
      billingLedger: 2,
      billingReconciliations: 1,
      billingWebhookEvents: 1,
      billingInvoices: 1,
    });

    const ids = async (sql: string) => (await db.query<{ id: string }>(sql)).rows.map((row) => row.id).sort();
    expect(await ids('select request_id as id from request_log')).toEqual(['log-inside']);
    expect(await ids('select event_id as id from usage_records')).toEqual(['rec-inside']);
    expect(await ids('select operation as id from usage_daily')).toEqual(['kept-2558-days', 'kept-inside']);
    expect(await ids('select event_id as id from billing_ledger')).toEqual(['ledger-inside', 'ledger-unsent-100-days']);
    expect(await ids('select run_id as id from billing_reconciliations')).toEqual(['recon-inside']);
    expect(await ids('select webhook_id as id from billing_webhook_events')).toEqual(['hook-2558-days', 'hook-inside']);
    expect(await ids('select number as id from billing_invoices')).toEqual(['inv-2558-days', 'inv-inside']);
  });
});
