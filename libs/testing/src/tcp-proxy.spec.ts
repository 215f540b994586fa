import net from 'node:net';
import { Client } from 'pg';
import { TEST_DATABASE_URL } from './services';
import { type TcpProxy, startTcpProxy } from './tcp-proxy';

/** The proxy in front of the shared test PostgreSQL, driven with node-postgres (what MikroORM runs on). */
describe('startTcpProxy', () => {
  const target = new URL(TEST_DATABASE_URL);
  let proxy: TcpProxy;
  const clients: Client[] = [];

  beforeEach(async () => {
    proxy = await startTcpProxy({ targetHost: target.hostname, targetPort: Number(target.port || 5432) });
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((client) => client.end().catch(() => undefined)));
    await proxy.stop();
  });

  async function connect(options: { connectionTimeoutMillis?: number; query_timeout?: number } = {}): Promise<Client> {
    const client = new Client({ connectionString: proxy.url(TEST_DATABASE_URL), ...options });
    client.on('error', () => undefined);
    clients.push(client);
    await client.connect();
    return client;
  }

  async function timed<T>(work: Promise<T>): Promise<{ error: Error | null; ms: number }> {
    const started = Date.now();
    try {
      await work;
      return { error: null, ms: Date.now() - started };
    } catch (error) {
      return { error: error as Error, ms: Date.now() - started };
    }
  }

  it('rewrites only the host and port of a URL', () => {
    expect(proxy.url('postgres://app:s3cret@db.example:6543/nomosly_test?sslmode=disable')).toBe(
      `postgres://app:s3cret@127.0.0.1:${proxy.port}/nomosly_test?sslmode=disable`,
    );
  });

  it('forwards queries to the target', async () => {
    const client = await connect();
    const { rows } = await client.query<{ db: string }>('select current_database() as db');
    expect(rows[0].db).toBe(target.pathname.slice(1));
    expect(proxy.stats()).toEqual({ forwarded: 1, severed: 0, refused: 0 });
  });

  it('cut() resets open connections and new ones fail at once; restore() lets new ones through', async () => {
    const open = await connect();
    expect(proxy.cut()).toBe(1);
    expect(proxy.isCut()).toBe(true);
    const onOpen = await timed(open.query('select 1'));
    expect(onOpen.error).not.toBeNull();
    expect(onOpen.ms).toBeLessThan(2000);
    const fresh = await timed(connect());
    expect(fresh.error?.message).toMatch(/ECONNRESET|terminated|closed/i);
    expect(fresh.ms).toBeLessThan(2000);
    expect(proxy.stats()).toMatchObject({ severed: 1, refused: 1 });

    proxy.restore();
    expect(proxy.isCut()).toBe(false);
    const again = await connect();
    expect((await again.query<{ one: number }>('select 1 as one')).rows[0].one).toBe(1);
  });

  it('cut("blackhole") keeps connections open but silent: only client timeouts notice', async () => {
    const open = await connect({ query_timeout: 500 });
    expect(proxy.cut('blackhole')).toBe(1);
    const onOpen = await timed(open.query('select 1'));
    expect(onOpen.error?.message).toMatch(/timeout/i);
    expect(onOpen.ms).toBeGreaterThanOrEqual(450);
    const fresh = await timed(connect({ connectionTimeoutMillis: 500 }));
    expect(fresh.error?.message).toMatch(/timeout/i);
    expect(fresh.ms).toBeGreaterThanOrEqual(450);

    proxy.restore();
    const again = await connect();
    expect((await again.query<{ one: number }>('select 1 as one')).rows[0].one).toBe(1);
  });

  it('stop() closes its port', async () => {
    await proxy.stop();
    const refused = await new Promise<string>((resolve) => {
      const socket = net.connect({ host: '127.0.0.1', port: proxy.port });
      socket.once('connect', () => resolve('connected'));
      socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? 'error'));
    });
    expect(refused).toBe('ECONNREFUSED');
    proxy = await startTcpProxy({ targetHost: target.hostname, targetPort: Number(target.port || 5432) });
  });
});
