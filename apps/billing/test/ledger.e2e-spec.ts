import { randomUUID } from 'node:crypto';
import { Polar } from '@polar-sh/sdk';
import { Client } from 'pg';
import { type RunningApp, type ScratchDatabase, createScratchDatabase, startApp, until } from '@nomosly/testing';
// eslint-disable-next-line @nx/enforce-module-boundaries, no-restricted-imports -- the Polar stand-in runs in this process, so the test reads and faults its state
import { type PolarLocal, startPolarLocal } from '../../../tools/polar-local/src/server';
import {
  POLAR_TOKEN,
  READER_RETRIES,
  type RecordingProxy,
  type UsageWriter,
  WEBHOOK_SECRET,
  billingEnv,
  metric,
  ownedWorkspaces,
  polarEventsOf,
  recordingProxy,
  usageWriter,
} from './ledger-support';

const sorted = (values: Iterable<string>) => [...values].sort();

/**
 * The billing app's ledger sender against polar-local (the real SDK, over HTTP, through a proxy that records each
 * call): usage records written as the usage app writes them reach Polar once each, through Polar failing,
 * limiting, refusing an event, and the app itself dying. Each suite has a database of its own: a sender sends
 * every unsent ledger row of its database, other suites' rows included.
 */
describe('billing app: usage to Polar', () => {
  let database: ScratchDatabase;
  let db: Client;
  let polarLocal: PolarLocal;
  let proxy: RecordingProxy;
  let writer: UsageWriter;
  /** The SDK pointed straight at the stand-in: what the tests read Polar with. */
  let polar: Polar;
  let workspaces: string[];
  /** Every event id written so far and meant to reach Polar, by workspace. */
  const owed = new Map<string, string[]>();

  beforeAll(async () => {
    database = await createScratchDatabase('ledger');
    db = new Client({ connectionString: database.url });
    await db.connect();
    polarLocal = await startPolarLocal({ accessToken: POLAR_TOKEN, webhookSecret: WEBHOOK_SECRET });
    proxy = await recordingProxy(polarLocal.url);
    // The reader retries a connection the stand-in closed as idle (keep-alive race on a loaded machine).
    polar = new Polar({ accessToken: POLAR_TOKEN, serverURL: polarLocal.url, retryConfig: READER_RETRIES });
    writer = await usageWriter(database.url);
    workspaces = await ownedWorkspaces(db, 3);
  });

  afterAll(async () => {
    await writer?.close();
    await proxy?.close();
    await polarLocal?.close();
    await db?.end();
    await database?.drop();
  });

  async function write(records: Array<{ workspaceId: string; units?: number; operation?: string; at?: Date }>, billable = true): Promise<string[]> {
    const ids = await writer.write(records);
    if (billable) records.forEach((record, index) => owed.set(record.workspaceId, [...(owed.get(record.workspaceId) ?? []), ids[index] as string]));
    return ids;
  }
  const sentCount = async (ids: string[]) =>
    (await db.query<{ n: number }>('select count(*)::int as n from billing_ledger where event_id = any($1) and sent_at is not null', [ids])).rows[0]?.n ?? 0;
  const untilSent = (ids: string[], timeoutMs = 30_000) => until(async () => (await sentCount(ids)) === ids.length, { what: `${ids.length} ledger rows sent`, timeoutMs, intervalMs: 100 });
  /**
   * P4's check on Polar's side: each workspace holds exactly the events owed to it, each once (by external id, in
   * the stand-in's state; the SDK's `events.list` shows the same number, all `api.call`).
   */
  async function expectPolarHoldsExactlyWhatIsOwed(): Promise<void> {
    for (const [workspaceId, ids] of owed) {
      const stored = polarLocal.state.events.filter((event) => event.externalCustomerId === workspaceId).map((event) => event.externalId ?? '');
      expect(sorted(stored)).toEqual(sorted(ids));
      const listed = await polarEventsOf(polar, workspaceId);
      expect(listed).toHaveLength(ids.length);
      expect(new Set(listed.map((event) => event.name))).toEqual(new Set(['api.call']));
    }
  }

  describe('one app', () => {
    let app: RunningApp;

    beforeAll(async () => {
      app = await startApp('billing', billingEnv(database.url, proxy.url, { BILLING_BATCH_SIZE: '40', BILLING_CONCURRENCY: '2' }));
    });

    afterAll(async () => {
      polarLocal.setFault({ mode: 'none' });
      await app?.stop();
    });

    it('P4: every usage record reaches Polar exactly once, as `api.call` with its operation and units, its workspace a Polar customer first', async () => {
      const records = Array.from({ length: 150 }, (_, i) => ({
        workspaceId: workspaces[i % 3] as string,
        units: 1 + (i % 4),
        operation: i % 2 ? 'faces.detect' : 'labels.detect',
      }));
      const ids = await write(records);

      await untilSent(ids);

      await expectPolarHoldsExactlyWhatIsOwed();
      const wanted = new Map(ids.map((id, index) => [id, records[index]]));
      const ats = new Map((await db.query<{ event_id: string; at: string }>('select event_id, "at" from usage_records where event_id = any($1)', [ids])).rows.map((row) => [row.event_id, new Date(row.at).getTime()]));
      for (const event of polarLocal.state.events) {
        const record = wanted.get(event.externalId ?? '');
        expect({ name: event.name, metadata: event.metadata, at: event.timestamp.getTime() }).toEqual({
          name: 'api.call',
          metadata: { operation: record?.operation, units: record?.units },
          at: ats.get(event.externalId ?? ''),
        });
      }
      for (const workspaceId of workspaces) {
        const listedUnits = (await polarEventsOf(polar, workspaceId)).reduce((sum, event) => sum + Number(event.metadata.units), 0);
        expect(listedUnits).toBe(records.filter((record) => record.workspaceId === workspaceId).reduce((sum, record) => sum + record.units, 0));
        const customers = [...polarLocal.state.customers.values()].filter((customer) => customer.externalId === workspaceId);
        expect(customers).toHaveLength(1);
        // The customer existed before the first event of its workspace was ingested.
        const firstEvent = polarLocal.state.events.find((event) => event.externalCustomerId === workspaceId);
        expect(customers[0]?.createdAt.getTime()).toBeLessThanOrEqual(firstEvent?.ingestedAt.getTime() ?? 0);
      }
      // Four batches of at most 40, not one call per event.
      expect(proxy.ingests().length).toBeLessThan(20);
      await until(async () => (await metric(app.url, 'billing_events_sent_total', { result: 'inserted' })) === 150, { what: '150 inserted on /metrics' });
    });

    it('P4: Polar answering 503 for a while: every record is delivered once it recovers, none twice', async () => {
      polarLocal.setFault({ mode: 'status', status: 503 });
      const ids = await write(Array.from({ length: 60 }, (_, i) => ({ workspaceId: workspaces[i % 3] as string })));
      await until(
        async () =>
          (await db.query('select 1 from billing_ledger where event_id = any($1) and attempts >= 3 and last_error like $2', [ids, '%503%'])).rowCount === ids.length,
        { what: 'every row tried three times against the 503', timeoutMs: 30_000, intervalMs: 100 },
      );
      expect(await sentCount(ids)).toBe(0);
      await until(async () => (await metric(app.url, 'billing_events_failed_total', { reason: 'retry' })) >= 3 * ids.length, { what: 'the retries counted on /metrics' });
      await until(async () => (await metric(app.url, 'billing_ledger_lag_seconds')) > 0, { what: 'a lag on /metrics while Polar is down' });

      polarLocal.setFault({ mode: 'none' });
      await untilSent(ids);

      await expectPolarHoldsExactlyWhatIsOwed();
      expect(await metric(app.url, 'billing_events_sent_total', { result: 'duplicate' })).toBe(0);
      await until(async () => (await metric(app.url, 'billing_ledger_lag_seconds')) === 0, { what: 'no lag on /metrics once all is sent' });
    });

    it("P4: Polar limiting (429): no call goes to Polar before its Retry-After, then every record is delivered once", async () => {
      const RETRY_AFTER_S = 2;
      const from = proxy.calls.length;
      polarLocal.setFault({ mode: 'rate-limit', retryAfterSeconds: RETRY_AFTER_S });
      const ids = await write(Array.from({ length: 30 }, (_, i) => ({ workspaceId: workspaces[i % 3] as string })));
      await until(async () => proxy.calls.slice(from).filter((call) => call.status === 429).length >= 2, { what: 'two 429 answers', timeoutMs: 20_000 });
      polarLocal.setFault({ mode: 'none' });
      await untilSent(ids);

      await expectPolarHoldsExactlyWhatIsOwed();
      const calls = proxy.calls.slice(from);
      const limited = calls.filter((call) => call.status === 429);
      // After each 429 (a short grace for a call already on its way), the next call waits out the Retry-After.
      for (const answer of limited) {
        const answeredAt = answer.answeredAt as number;
        const early = calls.filter((call) => call.startedAt > answeredAt + 300 && call.startedAt < answeredAt + RETRY_AFTER_S * 1000 - 100);
        expect(early).toEqual([]);
      }
      const errors = await db.query<{ last_error: string }>('select last_error from billing_ledger where event_id = any($1)', [ids]);
      expect(errors.rows.every((row) => row.last_error === null)).toBe(true);
    });

    it('P4: an event Polar refuses (a timestamp a day ahead: 422) is parked alone, the others of its batch are sent; usage of a workspace gone is parked too', async () => {
      const [workspaceId] = workspaces as [string];
      const parkedBefore = await metric(app.url, 'billing_events_failed_total', { reason: 'parked' });
      const from = proxy.calls.length;
      const good = Array.from({ length: 15 }, () => ({ workspaceId }));
      const future = { workspaceId, at: new Date(Date.now() + 24 * 60 * 60 * 1000) };
      // One statement: the refused event is in the same batch as the good ones.
      const ids = await writer.write([...good.slice(0, 7), future, ...good.slice(7)]);
      const badId = ids[7] as string;
      const goodIds = ids.filter((id) => id !== badId);
      owed.set(workspaceId, [...(owed.get(workspaceId) ?? []), ...goodIds]);
      const goneWorkspace = randomUUID();
      // A ledger row whose workspace went after the row was written (the usage app writes none for a workspace already gone).
      const orphanId = `ev_${randomUUID()}`;
      await db.query(`insert into billing_ledger (event_id, workspace_id, operation, units, at) values ($1, $2, 'faces.detect', 1, now())`, [orphanId, goneWorkspace]);

      await untilSent(goodIds);
      await until(async () => (await db.query('select 1 from billing_ledger where event_id = any($1) and parked_at is not null', [[badId, orphanId]])).rowCount === 2, {
        what: 'the refused event and the orphan parked',
      });

      await expectPolarHoldsExactlyWhatIsOwed();
      expect(polarLocal.state.ingestedExternalIds.has(badId)).toBe(false);
      expect(polarLocal.state.ingestedExternalIds.has(orphanId as string)).toBe(false);
      const parked = await db.query<{ event_id: string; last_error: string; sent_at: Date | null }>(
        'select event_id, last_error, sent_at from billing_ledger where event_id = any($1) order by event_id = $2 desc',
        [[badId, orphanId], badId],
      );
      expect(parked.rows[0]?.last_error).toMatch(/Polar answered 422.*Timestamp must be in the past/);
      expect(parked.rows[1]?.last_error).toBe(`no Polar customer can be made: workspace ${goneWorkspace} no longer exists`);
      expect(parked.rows.every((row) => row.sent_at === null)).toBe(true);
      // Split in halves down to the refused event alone; the last call that carried it carried nothing else.
      const carryingBad = proxy.calls.slice(from).filter((call) => call.externalIds.includes(badId));
      expect(carryingBad.length).toBeGreaterThan(2);
      expect(carryingBad.at(-1)?.externalIds).toEqual([badId]);
      expect(app.logs()).toContain(`usage event ${badId} of workspace ${workspaceId} parked`);
      expect(await metric(app.url, 'billing_events_failed_total', { reason: 'parked' })).toBe(parkedBefore + 2);
      // Parked rows are not owed any more: no lag for them.
      await until(async () => (await metric(app.url, 'billing_ledger_lag_seconds')) === 0, { what: 'no lag once only parked rows are left' });
    });

    it('/metrics shows the lag (age of the oldest unsent record), the unsent rows, and the sent and failed counts', async () => {
      polarLocal.setFault({ mode: 'status', status: 503 });
      const ids = await write([{ workspaceId: workspaces[1] as string, at: new Date(Date.now() - 60_000) }]);
      await until(async () => (await metric(app.url, 'billing_ledger_lag_seconds')) >= 60, { what: 'a lag of a minute on /metrics' });
      await until(async () => (await metric(app.url, 'billing_ledger_unsent', { state: 'waiting' })) + (await metric(app.url, 'billing_ledger_unsent', { state: 'due' })) === 1, {
        what: 'one unsent row on /metrics',
      });
      polarLocal.setFault({ mode: 'none' });
      await untilSent(ids);
      await until(async () => (await metric(app.url, 'billing_ledger_lag_seconds')) === 0, { what: 'no lag once sent' });
      const owedCount = [...owed.values()].reduce((sum, list) => sum + list.length, 0);
      expect(await metric(app.url, 'billing_events_sent_total', { result: 'inserted' })).toBe(owedCount);
      expect(await metric(app.url, 'billing_events_failed_total', { reason: 'retry' })).toBeGreaterThan(0);
      expect(await metric(app.url, 'billing_events_failed_total', { reason: 'parked' })).toBe(2);
      expect(await metric(app.url, 'billing_ledger_unsent', { state: 'due' })).toBe(0);
    });
  });

  describe('the app dying or stopping mid-batch', () => {
    const TIMEOUT_MS = 2_000;
    const env = () => billingEnv(database.url, proxy.url, { BILLING_BATCH_SIZE: '100', BILLING_CONCURRENCY: '2', POLAR_TIMEOUT_MS: String(TIMEOUT_MS) });
    let app: RunningApp | undefined;

    afterEach(async () => {
      polarLocal.setFault({ mode: 'none' });
      await app?.stop();
    });

    async function hangingIngest(from: number): Promise<void> {
      await until(async () => proxy.calls.slice(from).some((call) => call.path === '/v1/events/ingest' && call.answeredAt === undefined), {
        what: 'an ingest call hanging',
        timeoutMs: 20_000,
      });
    }

    it('P4: SIGKILLed while Polar hangs on its batch, then restarted: every record delivered, none twice (the re-send is a duplicate Polar ignores)', async () => {
      app = await startApp('billing', env());
      // The workspaces are Polar customers already (the first suite), so the batch goes straight to ingest.
      polarLocal.setFault({ mode: 'hang' });
      const from = proxy.calls.length;
      const ids = await write(Array.from({ length: 40 }, (_, i) => ({ workspaceId: workspaces[i % 3] as string })));
      await hangingIngest(from);
      await app.kill();
      // Every batch in flight when it died, not only the first: on a slow machine the rows reach the ledger in
      // more than one batch, and each of them hangs.
      const hung = proxy.calls
        .slice(from)
        .filter((call) => call.path === '/v1/events/ingest' && call.answeredAt === undefined)
        .flatMap((call) => call.externalIds);
      // Polar takes the hung call after all (its client is gone): the events are in, the ledger does not know it.
      polarLocal.setFault({ mode: 'none' });
      await until(async () => hung.every((id) => polarLocal.state.ingestedExternalIds.has(id)), { what: 'the hung call ingested' });
      expect(await sentCount(hung)).toBe(0);

      app = await startApp('billing', env());
      await untilSent(ids);

      await expectPolarHoldsExactlyWhatIsOwed();
      // Each hung event went to Polar twice, and Polar counted the second as a duplicate.
      const carried = proxy.ingests().slice(0).filter((call) => call.startedAt >= (proxy.calls[from]?.startedAt ?? 0)).flatMap((call) => call.externalIds);
      for (const id of hung) expect(carried.filter((carriedId) => carriedId === id).length).toBe(2);
      expect(await metric(app.url, 'billing_events_sent_total', { result: 'duplicate' })).toBe(hung.length);
      expect(await metric(app.url, 'billing_events_sent_total', { result: 'inserted' })).toBe(ids.length - hung.length);
    }, 180_000);

    it('stops on SIGTERM within POLAR_TIMEOUT_MS while Polar hangs, its batch left to be sent again soon, and nothing lost', async () => {
      app = await startApp('billing', env());
      polarLocal.setFault({ mode: 'hang' });
      const from = proxy.calls.length;
      const ids = await write(Array.from({ length: 10 }, (_, i) => ({ workspaceId: workspaces[i % 3] as string })));
      await hangingIngest(from);

      const stoppingAt = Date.now();
      const stopping = app.stop();
      await stopping;
      // One POLAR_TIMEOUT_MS for the call, a few seconds for Nest to close on a loaded machine.
      expect(Date.now() - stoppingAt).toBeLessThan(TIMEOUT_MS + 5_000);
      // Closed by its own shutdown hooks, cleanly (exit 0), not by its deadline (1) nor by stop()'s SIGKILL after 10 s.
      expect(app.child.exitCode).toBe(0);
      // Not held for the lease (3 x POLAR_TIMEOUT_MS): due again within the backoff cap.
      const held = await db.query('select 1 from billing_ledger where event_id = any($1) and sent_at is null and next_attempt_at > now() + $2 * interval \'1 millisecond\'', [ids, 2_500]);
      expect(held.rowCount).toBe(0);

      polarLocal.setFault({ mode: 'none' });
      app = await startApp('billing', env());
      await untilSent(ids);
      await expectPolarHoldsExactlyWhatIsOwed();
    }, 180_000);
  });
});
