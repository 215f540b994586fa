import { Client } from 'pg';
import { Polar } from '@polar-sh/sdk';
import { type RunningApp, type ScratchDatabase, type TestSystem, TEST_REDIS_URL, createScratchDatabase, fixture, startApp, startTestSystem, until } from '@nomosly/testing';
// eslint-disable-next-line @nx/enforce-module-boundaries, no-restricted-imports -- the Polar stand-in runs in this process, so the test faults it and reads its state
import { type PolarLocal, startPolarLocal } from '../../../tools/polar-local/src/server';
import { POLAR_TOKEN, READER_RETRIES, type RecordingProxy, WEBHOOK_SECRET, billingEnv, polarEventsOf, recordingProxy } from './ledger-support';

const CLIENTS = 4;
const DOWN_503_MS = 15_000;
const DOWN_HANG_MS = 15_000;
/** A hard bound on the load, whatever happens to the fault sequence. */
const LOAD_LIMIT_MS = 90_000;

/**
 * P4 to Polar, under faults: calls run against a gateway (null engine) while Polar is down for 30 s (the stand-in
 * answering 503, then hanging) and the billing app is SIGKILLed once with a batch's call in flight. Afterwards,
 * for the workspace, the 2xx responses the client saw, the usage rows and the events Polar holds (by external id,
 * and counted through GET /v1/events/) are equal, with no duplicate. The system runs on a database of its own, so
 * that no other suite's billing app takes its ledger rows and none of theirs reach this stand-in.
 */
describe('P4 to Polar, under faults', () => {
  let system: TestSystem;
  let usage: RunningApp;
  let billing: RunningApp;
  let polarLocal: PolarLocal;
  let proxy: RecordingProxy;
  let db: Client;
  let database: ScratchDatabase;
  const statuses: number[] = [];
  const env = () => billingEnv(database.url, proxy.url, { BILLING_BATCH_SIZE: '50' });

  beforeAll(async () => {
    database = await createScratchDatabase('p4polar');
    polarLocal = await startPolarLocal({ accessToken: POLAR_TOKEN, webhookSecret: WEBHOOK_SECRET });
    proxy = await recordingProxy(polarLocal.url);
    system = await startTestSystem({ label: 'p4polar', engine: 'null', databaseUrl: database.url });
    usage = await startApp('usage', { DATABASE_URL: database.url, EVENTS_REDIS_URL: TEST_REDIS_URL, QUEUE_PREFIX: system.prefix, RETENTION_SWEEP_CRON: '' });
    billing = await startApp('billing', env());
    db = new Client({ connectionString: database.url });
    await db.connect();
  }, 240_000);

  afterAll(async () => {
    polarLocal?.setFault({ mode: 'none' });
    await Promise.all([billing?.stop(), usage?.stop(), system?.stop()]);
    await db?.end();
    await proxy?.close();
    await polarLocal?.close();
    await database?.drop();
  }, 60_000);

  async function client(stop: AbortSignal): Promise<void> {
    const image = fixture('printed_text.png');
    while (!stop.aborted) {
      try {
        const response = await fetch(`${system.gateway.url}/v1/text/detect`, {
          method: 'POST',
          headers: { authorization: `Bearer ${system.key}`, 'content-type': 'image/png' },
          body: image,
          signal: AbortSignal.timeout(20_000),
        });
        await response.arrayBuffer();
        statuses.push(response.status);
      } catch {
        statuses.push(0);
      }
    }
  }
  const ok = () => statuses.filter((status) => status >= 200 && status <= 299).length;
  const rowsOf = async (sql: string) => (await db.query<{ id: string }>(sql, [system.workspaceId])).rows.map((row) => row.id);

  it('P4: with load running, Polar down (503, then hanging) for 30 s and the billing app killed once mid-batch: 2xx responses == usage rows == events Polar holds, exactly, no duplicates', async () => {
    let phase = 'load before faults';
    const stop = new AbortController();
    const limit = setTimeout(() => stop.abort(), LOAD_LIMIT_MS);
    const load = Promise.all(Array.from({ length: CLIENTS }, () => client(stop.signal)));
    try {
      await until(async () => ok() >= 20, { what: '20 successful calls before any fault', timeoutMs: 60_000 });
      phase = 'Polar answering 503';
      polarLocal.setFault({ mode: 'status', status: 503 });
      await new Promise((resolve) => setTimeout(resolve, DOWN_503_MS));
      const hangFrom = proxy.calls.length;
      phase = 'Polar hanging';
      polarLocal.setFault({ mode: 'hang' });
      // A batch in flight: at its ingest call, or at the customer call before it (for a workspace new to Polar).
      await until(async () => proxy.calls.slice(hangFrom).some((call) => call.answeredAt === undefined), {
        what: 'a call of a batch hanging',
        timeoutMs: DOWN_HANG_MS,
      });
      await billing.kill();
      await new Promise((resolve) => setTimeout(resolve, DOWN_HANG_MS / 2));
      phase = 'billing app restarting';
      billing = await startApp('billing', env());
      phase = 'Polar back';
      polarLocal.setFault({ mode: 'none' });
      const back = ok();
      await until(async () => ok() >= back + 20, { what: '20 more successful calls after Polar is back', timeoutMs: 60_000 });
    } catch (error) {
      throw new Error(`${phase}: ${(error as Error).message}`);
    } finally {
      clearTimeout(limit);
      stop.abort();
      await load;
    }

    const served = ok();
    await until(async () => (await rowsOf('select event_id as id from usage_records where workspace_id = $1')).length >= served, {
      what: `${served} usage rows`,
      timeoutMs: 60_000,
      intervalMs: 200,
    });
    await until(async () => (await rowsOf('select event_id as id from billing_ledger where workspace_id = $1 and sent_at is null')).length === 0, {
      what: 'every ledger row of the workspace sent',
      timeoutMs: 60_000,
      intervalMs: 200,
    });
    const usageIds = await rowsOf('select event_id as id from usage_records where workspace_id = $1');
    const held = polarLocal.state.events.filter((event) => event.externalCustomerId === system.workspaceId).map((event) => event.externalId ?? '');
    const reader = new Polar({
      accessToken: POLAR_TOKEN,
      serverURL: polarLocal.url,
      retryConfig: READER_RETRIES,
    });
    const listed = await polarEventsOf(reader, system.workspaceId);

    expect(usageIds).toHaveLength(served);
    expect(held).toHaveLength(served);
    expect(new Set(held).size).toBe(held.length);
    expect([...held].sort()).toEqual([...usageIds].sort());
    expect(listed).toHaveLength(served);
    expect(await rowsOf('select event_id as id from billing_ledger where workspace_id = $1 and parked_at is not null')).toEqual([]);
  }, 420_000);
});
