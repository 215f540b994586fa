import { randomBytes, randomUUID } from 'node:crypto';
import { MikroORM } from '@mikro-orm/postgresql';
import { Client } from 'pg';
import { ormConfig } from '@nomosly/db';
import { TEST_DATABASE_URL, insertUsageRows } from '@nomosly/testing';
import { AccountPurger, NIL_USER_ID } from './account-purger';

describe('AccountPurger', () => {
  let orm: MikroORM;
  let db: Client;
  const made = { users: [] as string[], workspaces: [] as string[] };

  beforeAll(async () => {
    orm = await MikroORM.init(ormConfig({ url: TEST_DATABASE_URL, poolSize: 2 }));
    db = new Client({ connectionString: TEST_DATABASE_URL });
    await db.connect();
  });

  afterAll(async () => {
    await db.query('delete from usage_records where workspace_id = any($1::uuid[])', [made.workspaces]);
    await db.query('delete from billing_customers where workspace_id = any($1::uuid[])', [made.workspaces]);
    await db.query('delete from workspaces where id = any($1::uuid[])', [made.workspaces]);
    await db.query('delete from users where id = any($1::uuid[])', [made.users]);
    await db.end();
    await orm.close(true);
  });

  async function user(deletionScheduledFor: Date | null): Promise<string> {
    const id = randomUUID();
    made.users.push(id);
    await db.query('insert into users (id, email, deletion_scheduled_for) values ($1, $2, $3)', [id, `purger-${id}@spec.test`, deletionScheduledFor]);
    return id;
  }
  async function workspace(members: Array<[userId: string, role: 'owner' | 'member']>): Promise<string> {
    const id = randomUUID();
    made.workspaces.push(id);
    await db.query(`insert into workspaces (id, name) values ($1, 'purger spec')`, [id]);
    for (const [index, [userId, role]] of members.entries()) {
      await db.query(`insert into memberships (workspace_id, user_id, role, created_at) values ($1, $2, $3, now() + $4 * interval '1 second')`, [id, userId, role, index]);
    }
    return id;
  }
  async function key(workspaceId: string, userId: string): Promise<string> {
    const id = randomUUID();
    await db.query(`insert into api_keys (id, workspace_id, created_by_id, name, prefix, hash, scopes) values ($1, $2, $3, 'k', $4, $5, '{faces:detect}')`, [
      id,
      workspaceId,
      userId,
      `nk_live_${randomBytes(2).toString('hex')}`,
      randomBytes(32).toString('hex'),
    ]);
    return id;
  }
  const rows = async (sql: string, params: unknown[]) => (await db.query(sql, params)).rows;
  const past = () => new Date(Date.now() - 60_000);

  it('P7: purges nothing for a countdown cancelled, not yet ended, or never started', async () => {
    const purger = new AccountPurger(orm.em);
    const cancelled = await user(null);
    const pending = await user(new Date(Date.now() + 3_600_000));
    await workspace([[cancelled, 'owner']]);
    await workspace([[pending, 'owner']]);
    expect(await purger.purge(cancelled, new Date())).toBeNull();
    expect(await purger.purge(pending, new Date())).toBeNull();
    expect(await purger.purge(randomUUID(), new Date())).toBeNull();
    expect(await rows('select id from users where id = any($1::uuid[]) order by id', [[cancelled, pending]])).toHaveLength(2);
  });

  it('P7: an overdue account is found for the sweep, and purged once', async () => {
    const purger = new AccountPurger(orm.em);
    const overdue = await user(past());
    const own = await workspace([[overdue, 'owner']]);
    expect(await purger.overdue(new Date(), 100_000)).toContain(overdue);
    expect((await purger.purge(overdue, new Date()))?.deletedWorkspaceIds).toEqual([own]);
    expect(await purger.purge(overdue, new Date())).toBeNull();
    expect(await purger.overdue(new Date(), 100_000)).not.toContain(overdue);
    // Its Polar customer is owed a deletion: the workspace is gone, its billing_customers row says so.
    expect(await purger.customersToDelete(100_000)).toContain(own);
  });

  it('P7: a workspace owned alone that gained members during the countdown is handed to the longest-standing one, keeping its usage and naming the user nowhere', async () => {
    const purger = new AccountPurger(orm.em);
    const leaver = await user(past());
    const first = await user(null);
    const second = await user(null);
    const shared = await workspace([
      [leaver, 'owner'],
      [first, 'member'],
      [second, 'member'],
    ]);
    const leaverKey = await key(shared, leaver);
    const firstKey = await key(shared, first);
    const record = (userId: string, keyId: string) => ({
      eventId: `purger-${randomUUID()}`,
      workspaceId: shared,
      userId,
      keyId,
      operation: 'faces.detect',
      units: 1,
      status: 200,
      latencyMs: 5,
      at: new Date(),
    });
    await insertUsageRows(TEST_DATABASE_URL, { records: [record(leaver, leaverKey), record(first, firstKey)] });

    const outcome = await purger.purge(leaver, new Date());

    expect(outcome).toMatchObject({ deletedWorkspaceIds: [], handedOverWorkspaceIds: [shared], anonymisedUsageRecords: 1 });
    expect(await rows('select user_id, role from memberships where workspace_id = $1 order by role, user_id', [shared])).toEqual([
      { user_id: second, role: 'member' },
      { user_id: first, role: 'owner' },
    ]);
    expect(await rows('select id from api_keys where workspace_id = $1', [shared])).toEqual([{ id: firstKey }]);
    expect((await rows('select user_id from usage_records where workspace_id = $1 order by user_id', [shared])).map((row) => row.user_id).sort()).toEqual(
      [NIL_USER_ID, first].sort(),
    );
    expect(await rows('select id from users where id = $1', [leaver])).toEqual([]);
  });
});
