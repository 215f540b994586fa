import { Registry } from 'prom-client';
import { DependencyWatches } from '@nomosly/observability';
import { TEST_DATABASE_URL, type TcpProxy, startTcpProxy } from '@nomosly/testing';
import type { ConsoleConfig } from '../config';
import { ExportPool } from './export-pool';

/** Issue 17: the export pool's connections, through a proxy of the test's own to the test database. */
describe('ExportPool and Postgres outages', () => {
  let proxy: TcpProxy;
  let lines: Record<string, unknown>[];
  let watches: DependencyWatches;

  beforeEach(async () => {
    const direct = new URL(TEST_DATABASE_URL);
    proxy = await startTcpProxy({ targetHost: direct.hostname, targetPort: Number(direct.port || 5432) });
    lines = [];
    const log = (fields: Record<string, unknown>) => void lines.push(fields);
    watches = new DependencyWatches({ registry: new Registry(), reminderMs: 60_000, log: { warn: log, log, error: log } });
  });
  afterEach(async () => {
    await proxy.stop();
  });

  function exportPool(): ExportPool {
    return new ExportPool({ DATABASE_URL: proxy.url(TEST_DATABASE_URL) } as ConsoleConfig, watches);
  }

  it('an idle connection lost with its server logs nothing of its own (the postgres watch reports the outage)', async () => {
    const pool = exportPool();
    const client = await pool.connect();
    await client.query('select 1');
    client.release();
    proxy.cut('reset');
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(lines).toEqual([]);
    await pool.onModuleDestroy();
  });

  it('closing while an export waits on a partitioned server ends after the grace, not never', async () => {
    const pool = exportPool();
    const client = await pool.connect();
    await client.query('select 1');
    // As the export service does: it listens to its connection's errors, and a failed export gives the connection back.
    client.on('error', () => undefined);
    proxy.cut('blackhole');
    const running = client.query('select 1').then(
      () => 'answered',
      (error: Error) => (client.release(error), 'cut'),
    );
    const started = Date.now();
    await pool.onModuleDestroy();
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(await running).toBe('cut');
  });

  it('closing while Postgres is known to be down cuts the connections at once', async () => {
    const pool = exportPool();
    const client = await pool.connect();
    await client.query('select 1');
    client.on('error', () => undefined);
    proxy.cut('blackhole');
    const running = client.query('select 1').catch((error: Error) => (client.release(error), 'cut'));
    watches.watch('postgres', `127.0.0.1:${proxy.port}`).failed('probe', Object.assign(new Error('no answer'), { code: 'ETIMEDOUT' }));
    watches.beginShutdown();
    expect(await running).toBe('cut');
    await pool.onModuleDestroy();
  });
});
