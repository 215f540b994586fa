import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { promisify } from 'node:util';
import { type Job, QueueEvents } from 'bullmq';
import { Client } from 'pg';
import { BILLING_RECONCILE_SCHEDULER, BillingJob, QueueName, type ReconciliationReport, type WorkspaceReconciliation } from '@nomosly/contracts';
import {
  type RunningApp,
  REPO_ROOT,
  type ScratchDatabase,
  TEST_REDIS_URL,
  createKeyInWorkspace,
  createScratchDatabase,
  deleteKeys,
  startApp,
  testQueue,
  uniquePrefix,
  until,
} from '@nomosly/testing';
// The Polar stand-in runs in this process, so that the spec can make it lose events and read what it holds.
// eslint-disable-next-line @nx/enforce-module-boundaries, no-restricted-imports
import { type PolarLocal, startPolarLocal } from '../../../tools/polar-local/src/server';

const ACCESS_TOKEN = 'polar_oat_reconciliation_spec';
const WEBHOOK_SECRET = `whsec_${Buffer.from('reconciliation-spec-webhook-key!').toString('base64')}`;
/** Units of each record of the workspace that loses events, and of the one that does not. */
const LOSING_UNITS = 2;
const STEADY_UNITS = 1;

interface ReconciliationRow {
  run_id: string;
  workspace_id: string;
  ours: string;
  theirs: string;
  resent: number;
  drift: string;
}

/**
 * The daily reconciliation, run through the billing queue against the built billing app and the Polar stand-in:
 * the ledger's records reach the stand-in through the real sender, the stand-in loses some, and the reconciliation
 * finds the drift, hands exactly the lost records back to the sender, and sees the drift return to 0. The app runs
 * against a database of its own, since the reconciliation covers every billed workspace.
 */
describe('billing app: reconciliation with Polar', () => {
  const prefix = uniquePrefix('reconcile');
  let database: ScratchDatabase;
  let db: Client;
  let polar: PolarLocal;
  let app: RunningApp;
  let queueEvents: QueueEvents;
  const queue = testQueue(QueueName.Billing, prefix);
  let losing: string;
  let steady: string;
  /** A workspace whose customer meter the stand-in answers with a body the SDK refuses: its reconciliation fails. */
  let unreadable: string | undefined;

  beforeAll(async () => {
    database = await createScratchDatabase('reconcile');
    db = new Client({ connectionString: database.url });
    await db.connect();
    polar = await startPolarLocal({
      accessToken: ACCESS_TOKEN,
      webhookSecret: WEBHOOK_SECRET,
      corruptResponse: (pathname, body) => (pathname.startsWith('/v1/customer-meters') && unreadable && JSON.stringify(body).includes(unreadable) ? { items: 'unreadable' } : body),
    });
    queueEvents = new QueueEvents(QueueName.Billing, { connection: { url: TEST_REDIS_URL }, prefix });
    await queueEvents.waitUntilReady();
    app = await startApp('billing', {
      DATABASE_URL: database.url,
      EVENTS_REDIS_URL: TEST_REDIS_URL,
      QUEUE_PREFIX: prefix,
      POLAR_ACCESS_TOKEN: ACCESS_TOKEN,
      POLAR_SERVER_URL: polar.url,
      POLAR_WEBHOOK_SECRET: WEBHOOK_SECRET,
      POLAR_TIMEOUT_MS: '5000',
      BILLING_POLL_MS: '50',
      BILLING_RECONCILE_CRON: '',
    });
    losing = createKeyInWorkspace(database.url, `losing-${randomUUID()}@example.com`).workspaceId;
    steady = createKeyInWorkspace(database.url, `steady-${randomUUID()}@example.com`).workspaceId;
    await addLedgerRecords(losing, 10, LOSING_UNITS);
    await addLedgerRecords(steady, 4, STEADY_UNITS);
    await everyRecordSent();
  }, 180_000);

  afterAll(async () => {
    await app?.stop();
    await queueEvents?.close();
    await queue.close();
    await polar?.close();
    await db?.end();
    await database?.drop();
    await deleteKeys(TEST_REDIS_URL, `${prefix}:*`);
  });

  /** Ledger rows as the usage app writes them with each usage record, a millisecond apart, in the past. */
  async function addLedgerRecords(workspaceId: string, count: number, units: number): Promise<void> {
    const start = Date.now() - 60_000;
    for (let index = 0; index < count; index += 1) {
      await db.query('insert into billing_ledger (event_id, workspace_id, operation, units, at) values ($1, $2, $3, $4, $5)', [
        `req_${randomUUID()}`,
        workspaceId,
        'faces.detect',
        units,
        new Date(start + index),
      ]);
    }
  }

  async function everyRecordSent(): Promise<void> {
    try {
      await until(async () => (await db.query('select 1 from billing_ledger where sent_at is null limit 1')).rowCount === 0, {
        what: 'every ledger record accepted by Polar',
        timeoutMs: 30_000,
      });
    } catch (error) {
      const unsent = await db.query('select event_id, attempts, parked_at, last_error from billing_ledger where sent_at is null limit 3');
      throw new Error(`${(error as Error).message}\n${JSON.stringify(unsent.rows)}\n${app.logs().slice(-3000)}`);
    }
  }

  async function ledger(workspaceId: string): Promise<Map<string, number>> {
    const result = await db.query<{ event_id: string; units: number }>('select event_id, units from billing_ledger where workspace_id = $1', [workspaceId]);
    return new Map(result.rows.map((row) => [row.event_id, row.units]));
  }

  /** How many times the stand-in holds each of the workspace's events, by the external id it was ingested under. */
  function polarHolds(workspaceId: string): Map<string, number> {
    const held = new Map<string, number>();
    for (const event of polar.state.events) {
      if (event.externalCustomerId !== workspaceId || event.externalId === null) continue;
      held.set(event.externalId, (held.get(event.externalId) ?? 0) + 1);
    }
    return held;
  }

  async function reconcile(data: { dryRun?: boolean } = {}): Promise<{ job: Job; report: ReconciliationReport }> {
    const job = await queue.add(BillingJob.Reconcile, data, { attempts: 1 });
    const report = (await job.waitUntilFinished(queueEvents, 60_000)) as ReconciliationReport;
    return { job, report };
  }

  function figuresOf(report: ReconciliationReport, workspaceId: string): WorkspaceReconciliation | undefined {
    return report.workspaces.find((figures) => figures.workspaceId === workspaceId);
  }

  async function rowsOf(runId: string): Promise<ReconciliationRow[]> {
    return (await db.query<ReconciliationRow>('select run_id, workspace_id, ours, theirs, resent, drift from billing_reconciliations where run_id = $1 order by workspace_id', [runId])).rows;
  }

  async function metric(name: string): Promise<number> {
    const text = await (await fetch(`${app.url}/metrics`)).text();
    const value = new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'm').exec(text)?.[1];
    if (value === undefined) throw new Error(`${name} not in /metrics`);
    return Number(value);
  }

  it('P4: Polar lost events: the run finds the drift, re-sends exactly the lost records, and the next run finds Polar holding every record once', async () => {
    expect(polar.loseEvents(losing, 3)).toBe(3);
    const lost = [...(await ledger(losing)).keys()].filter((eventId) => !polarHolds(losing).has(eventId)).sort();
    expect(lost).toHaveLength(3);

    const first = await reconcile();
    expect(first.report.failed).toEqual([]);
    expect(figuresOf(first.report, losing)).toMatchObject({ ours: 10 * LOSING_UNITS, theirs: 7 * LOSING_UNITS, drift: 3 * LOSING_UNITS, resent: 3 });
    expect(figuresOf(first.report, steady)).toMatchObject({ ours: 4 * STEADY_UNITS, theirs: 4 * STEADY_UNITS, drift: 0, resent: 0 });
    expect(await rowsOf(first.report.runId)).toEqual(
      [
        { run_id: first.report.runId, workspace_id: losing, ours: String(10 * LOSING_UNITS), theirs: String(7 * LOSING_UNITS), resent: 3, drift: String(3 * LOSING_UNITS) },
        { run_id: first.report.runId, workspace_id: steady, ours: String(4 * STEADY_UNITS), theirs: String(4 * STEADY_UNITS), resent: 0, drift: '0' },
      ].sort((a, b) => a.workspace_id.localeCompare(b.workspace_id)),
    );
    expect(await metric('billing_reconciliation_drift_units')).toBe(3 * LOSING_UNITS);
    expect(await metric('billing_reconciliation_drifting_workspaces')).toBe(1);
    expect(await metric('billing_reconciliation_resent_total')).toBe(3);
    const warnings = app.logs().split('\n').filter((line) => line.includes('drifts from Polar'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain(`workspace ${losing}`);
    expect(warnings[0]).toContain(`ours ${10 * LOSING_UNITS} units, Polar ${7 * LOSING_UNITS}, drift ${3 * LOSING_UNITS}, re-sent 3`);

    // The sender takes the handed-back records and sends them again under their event ids.
    await everyRecordSent();
    await until(async () => lost.every((eventId) => polarHolds(losing).has(eventId)), { what: 'the lost records ingested again', timeoutMs: 30_000 });

    const second = await reconcile();
    expect(figuresOf(second.report, losing)).toMatchObject({ ours: 10 * LOSING_UNITS, theirs: 10 * LOSING_UNITS, drift: 0, resent: 0 });
    expect((await rowsOf(second.report.runId)).map((row) => [row.drift, row.resent])).toEqual([
      ['0', 0],
      ['0', 0],
    ]);
    expect(await metric('billing_reconciliation_drift_units')).toBe(0);
    expect(await metric('billing_reconciliation_drifting_workspaces')).toBe(0);
    expect(await metric('billing_reconciliation_resent_total')).toBe(3);
    for (const workspaceId of [losing, steady]) {
      const ours = await ledger(workspaceId);
      const held = polarHolds(workspaceId);
      expect([...held.keys()].sort()).toEqual([...ours.keys()].sort());
      expect([...held.values()].every((times) => times === 1)).toBe(true);
    }
  }, 120_000);

  it('a dry run reports the drift and what it would re-send, and re-sends nothing, writes no row, leaves the metrics', async () => {
    expect(polar.loseEvents(steady, 2)).toBe(2);
    const { report } = await reconcile({ dryRun: true });
    expect(report.dryRun).toBe(true);
    expect(figuresOf(report, steady)).toMatchObject({ ours: 4 * STEADY_UNITS, theirs: 2 * STEADY_UNITS, drift: 2 * STEADY_UNITS, resent: 2 });
    expect(figuresOf(report, losing)).toMatchObject({ drift: 0, resent: 0 });
    expect(await rowsOf(report.runId)).toEqual([]);
    expect((await db.query('select 1 from billing_ledger where sent_at is null')).rowCount).toBe(0);
    expect(polarHolds(steady).size).toBe(2);
    expect(await metric('billing_reconciliation_drift_units')).toBe(0);
    expect(app.logs()).toContain(`dry run: workspace ${steady} drifts from Polar`);

    // A real run mends what the dry run only reported.
    const mended = await reconcile();
    expect(figuresOf(mended.report, steady)).toMatchObject({ drift: 2 * STEADY_UNITS, resent: 2 });
    await until(async () => polarHolds(steady).size === 4, { what: 'the steady workspace whole again on Polar', timeoutMs: 30_000 });
  }, 120_000);

  it('Polar down: the run fails, is retried, and succeeds once Polar is back', async () => {
    await everyRecordSent();
    polar.setFault({ mode: 'status', status: 503 });
    const job = await queue.add(BillingJob.Reconcile, {}, { attempts: 10, backoff: { type: 'fixed', delay: 1_000 } });
    try {
      await until(async () => ((await queue.getJob(job.id ?? ''))?.attemptsMade ?? 0) >= 1, { what: 'a reconciliation attempt failed', timeoutMs: 30_000 });
    } finally {
      polar.setFault({ mode: 'none' });
    }
    const report = (await job.waitUntilFinished(queueEvents, 60_000)) as ReconciliationReport;
    expect(report.failed).toEqual([]);
    expect(report.workspaces.map((figures) => figures.drift)).toEqual([0, 0]);
    expect(app.logs()).toContain(`reconciliation of workspace ${[losing, steady].sort()[0]} failed`);
    const finished = await queue.getJob(job.id ?? '');
    expect(finished?.attemptsMade).toBeGreaterThanOrEqual(2);
    expect((await rowsOf(report.runId)).map((row) => row.drift)).toEqual(['0', '0']);
  }, 120_000);

  it("one workspace's failure does not stop the others: they are reconciled and recorded, and the run fails to be retried", async () => {
    await everyRecordSent();
    expect(polar.loseEvents(losing, 1)).toBe(1);
    unreadable = steady;
    try {
      const job = await queue.add(BillingJob.Reconcile, {}, { attempts: 1 });
      await expect(job.waitUntilFinished(queueEvents, 60_000)).rejects.toThrow(`reconciliation failed for 1 workspaces (first: ${steady}:`);
      const rows = await rowsOf(`${job.id}#1`);
      expect(rows.map((row) => [row.workspace_id, row.drift, row.resent])).toEqual([[losing, String(LOSING_UNITS), 1]]);
      expect(app.logs()).toContain(`reconciliation of workspace ${steady} failed`);
    } finally {
      unreadable = undefined;
    }
    await until(async () => polarHolds(losing).size === 10, { what: 'the losing workspace whole again on Polar', timeoutMs: 30_000 });
  }, 120_000);

  it('npm run cli -- billing-reconcile [--dry-run] runs one reconciliation through the queue and prints each workspace', async () => {
    // Asynchronously: the stand-in answers the billing app from this process.
    const cli = (args: string[]) =>
      promisify(execFile)(process.execPath, [path.join(REPO_ROOT, 'dist/apps/cli/src/main.js'), ...args], {
        cwd: REPO_ROOT,
        env: { PATH: process.env.PATH ?? '', EVENTS_REDIS_URL: TEST_REDIS_URL, QUEUE_PREFIX: prefix },
      });
    await everyRecordSent();
    expect(polar.loseEvents(losing, 1)).toBe(1);

    const dry = await cli(['billing-reconcile', '--dry-run']);
    expect(dry.stdout).toMatch(new RegExp(`^workspace ${losing} since \\S+: ours ${10 * LOSING_UNITS} units, Polar ${9 * LOSING_UNITS}, drift ${LOSING_UNITS}, would re-send 1$`, 'm'));
    expect(dry.stdout).toMatch(new RegExp(`^workspace ${steady} since \\S+: ours ${4 * STEADY_UNITS} units, Polar ${4 * STEADY_UNITS}, drift 0, would re-send 0$`, 'm'));
    expect(dry.stdout).toContain('2 workspaces checked, 1 drifting (dry run: nothing re-sent, nothing recorded)');

    const real = await cli(['billing-reconcile']);
    expect(real.stdout).toMatch(new RegExp(`^workspace ${losing} since \\S+: ours ${10 * LOSING_UNITS} units, Polar ${9 * LOSING_UNITS}, drift ${LOSING_UNITS}, re-sent 1$`, 'm'));
    expect(real.stdout).toContain('2 workspaces checked, 1 drifting\n');
    await until(async () => polarHolds(losing).size === 10, { what: 'the losing workspace whole again on Polar', timeoutMs: 30_000 });
  }, 120_000);

  it('BILLING_RECONCILE_CRON schedules the run on the billing queue (and an empty one schedules none)', async () => {
    expect(await queue.getJobScheduler(BILLING_RECONCILE_SCHEDULER)).toBeUndefined();
    const schedulePrefix = uniquePrefix('reconcile-cron');
    const scheduledEvents = new QueueEvents(QueueName.Billing, { connection: { url: TEST_REDIS_URL }, prefix: schedulePrefix });
    const scheduledQueue = testQueue(QueueName.Billing, schedulePrefix);
    let scheduled: RunningApp | undefined;
    try {
      await scheduledEvents.waitUntilReady();
      const completed = new Promise<{ jobId: string; returnvalue: unknown }>((resolve) => scheduledEvents.once('completed', resolve));
      scheduled = await startApp('billing', {
        DATABASE_URL: database.url,
        EVENTS_REDIS_URL: TEST_REDIS_URL,
        QUEUE_PREFIX: schedulePrefix,
        POLAR_ACCESS_TOKEN: ACCESS_TOKEN,
        POLAR_SERVER_URL: polar.url,
        POLAR_WEBHOOK_SECRET: WEBHOOK_SECRET,
        BILLING_RECONCILE_CRON: '* * * * * *',
      });
      const { jobId, returnvalue } = await completed;
      expect((await scheduledQueue.getJob(jobId))?.name).toBe(BillingJob.Reconcile);
      expect((returnvalue as ReconciliationReport).workspaces.map((figures) => figures.workspaceId).sort()).toEqual([losing, steady].sort());
      expect(await scheduledQueue.getJobScheduler(BILLING_RECONCILE_SCHEDULER)).toMatchObject({ pattern: '* * * * * *', tz: 'UTC' });
    } finally {
      await scheduled?.stop();
      await scheduledEvents.close();
      await scheduledQueue.close();
      await deleteKeys(TEST_REDIS_URL, `${schedulePrefix}:*`);
    }
  }, 120_000);
});
