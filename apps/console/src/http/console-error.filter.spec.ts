import { Client } from 'pg';
import knex from 'knex';
import { ErrorCode, PublicError } from '@nomosly/contracts';
import { TEST_DATABASE_URL } from '@nomosly/testing';
import { publicErrorOf } from './console-error.filter';

/** The errors the real drivers raise when PostgreSQL is away, taken from the drivers themselves. */
describe('the console error filter: a database outage is a 503, never a 500', () => {
  const CLOSED_PORT_URL = 'postgres://postgres@127.0.0.1:1/nomosly';

  async function errorOf(run: () => Promise<unknown>): Promise<unknown> {
    try {
      await run();
    } catch (error) {
      return error;
    }
    throw new Error('expected the call to fail');
  }

  function expectUnavailable(error: unknown): void {
    const mapped = publicErrorOf(error);
    expect(mapped).toBeInstanceOf(PublicError);
    expect((mapped as PublicError).code).toBe(ErrorCode.Unavailable);
  }

  it('pg refused at connect (the export pool)', async () => {
    expectUnavailable(await errorOf(() => new Client({ connectionString: CLOSED_PORT_URL }).connect()));
  });

  it('pg terminated mid-session: the query that was running, and the next one', async () => {
    const client = new Client({ connectionString: TEST_DATABASE_URL });
    client.on('error', () => undefined);
    await client.connect();
    const admin = new Client({ connectionString: TEST_DATABASE_URL });
    await admin.connect();
    try {
      const { rows } = await client.query<{ pid: number }>('select pg_backend_pid() as pid');
      const running = errorOf(() => client.query('select pg_sleep(30)'));
      await new Promise((resolve) => setTimeout(resolve, 200));
      await admin.query('select pg_terminate_backend($1)', [rows[0].pid]);
      expectUnavailable(await running);
      expectUnavailable(await errorOf(() => client.query('select 1')));
    } finally {
      await admin.end();
      await client.end().catch(() => undefined);
    }
  });

  it('knex (the deletion transactions) with no server to reach', async () => {
    const db = knex({ client: 'pg', connection: CLOSED_PORT_URL, acquireConnectionTimeout: 2_000 });
    try {
      expectUnavailable(await errorOf(() => db.transaction(async (trx) => trx.raw('select 1'))));
    } finally {
      await db.destroy();
    }
  });

  it('a value PostgreSQL refuses is still the request\'s (400), not an outage', async () => {
    const client = new Client({ connectionString: TEST_DATABASE_URL });
    await client.connect();
    try {
      const mapped = publicErrorOf(await errorOf(() => client.query('select 2147483648::int4')));
      expect((mapped as PublicError).code).toBe(ErrorCode.InvalidRequest);
    } finally {
      await client.end();
    }
  });
});
