import { randomBytes, randomUUID } from 'node:crypto';
import { Queue } from 'bullmq';
import { Client } from 'pg';
import { ACCOUNT_PURGE_JOB_OPTIONS, MaintenanceJob, QueueName, accountPurgeJobId } from '@nomosly/contracts';
import { TEST_DATABASE_URL, TEST_REDIS_URL, deleteKeys, startApp, uniquePrefix, until } from '@nomosly/testing';
import { runBench } from './run-bench';

/**
 * `npm run bench:purge`: the purge of one account (P7) whose workspace holds BENCH_RECORDS usage records (default
 * 100,000), each with its ledger row, a request-log row per record, rollups over 30 days, and BENCH_TEAM_RECORDS
 * (default 10,000) records of its keys in a workspace it joined. The usage app runs it from the maintenance queue
 * as at the end of a countdown; the time is from the job's add to the user's row gone, and the usage app's own
 * log line tells what it did.
 */
const RECORDS = Number(process.env.BENCH_RECORDS ?? 100_000);
const TEAM_RECORDS = Number(process.env.BENCH_TEAM_RECORDS ?? 10_000);
const DATABASE_URL = process.env.DATABASE_URL ?? TEST_DATABASE_URL;
const REDIS_URL = process.env.EVENTS_REDIS_URL ?? TEST_REDIS_URL;

async function main(): Promise<void> {
  const prefix = uniquePrefix('bench-purge');
  const url = new URL(REDIS_URL);
  const queue = new Queue(QueueName.Maintenance, { connection: { host: url.hostname, port: Number(url.port || 6379) }, prefix, streams: { events: { maxLen: 100 } } });
  const db = new Client({ connectionString: DATABASE_URL });
  await db.connect();
  const userId = randomUUID();
  const teammateId = randomUUID();
  const own = randomUUID();
  const team = randomUUID();
  const ownKey = randomUUID();
  const teamKey = randomUUID();
  const app = await startApp('usage', { DATABASE_URL, EVENTS_REDIS_URL: REDIS_URL, QUEUE_PREFIX: prefix, LOG_LEVEL: 'info', RETENTION_SWEEP_CRON: '' });
  try {
    const seeded = performance.now();
    await db.query(`insert into users (id, email, name) values ($1, $2, 'Bench Purge'), ($3, $4, 'Bench Teammate')`, [
      userId,
      `bench-purge-${userId}@bench.test`,
      teammateId,
      `bench-teammate-${teammateId}@bench.test`,
    ]);
    await db.query(`insert into workspaces (id, name) values ($1, 'bench own'), ($2, 'bench team')`, [own, team]);
    await db.query(`insert into memberships (workspace_id, user_id, role) values ($1, $2, 'owner'), ($3, $4, 'owner'), ($3, $2, 'member')`, [own, userId, team, teammateId]);
    await db.query(
      `insert into api_keys (id, workspace_id, created_by_id, name, prefix, hash, scopes) values
         ($1, $2, $3, 'own', $4, $5, '{faces:detect}'), ($6, $7, $3, 'team', $8, $9, '{faces:detect}')`,
      [ownKey, own, userId, `nk_live_${randomBytes(2).toString('hex')}`, randomBytes(32).toString('hex'), teamKey, team, `nk_live_${randomBytes(2).toString('hex')}`, randomBytes(32).toString('hex')],
    );
    const records = (workspaceId: string, keyId: string, count: number, tag: string) =>
      db.query(
        `with r as (
           insert into usage_records (event_id, workspace_id, user_id, key_id, operation, units, status, latency_ms, at)
           select $5 || '-' || n, $1, $2, $3, 'faces.detect', 1, 200, 25, now() - (n % 30) * interval '1 day' from generate_series(1, $4::int) n
           returning event_id, workspace_id, operation, units, at
         ), l as (insert into billing_ledger (event_id, workspace_id, operation, units, at) select event_id, workspace_id, operation, units, at from r)
         insert into request_log (request_id, workspace_id, at, ip, method, path, status, latency_ms, key_prefix)
         select r.event_id, r.workspace_id, r.at, '203.0.113.7', 'POST', '/v1/faces/detect', 200, 25, k.prefix from r join api_keys k on k.id = $3`,
        [workspaceId, userId, keyId, count, `bench-purge-${tag}-${randomUUID()}`],
      );
    await records(own, ownKey, RECORDS, 'own');
    await records(team, teamKey, TEAM_RECORDS, 'team');
    await db.query(
      `insert into usage_daily (workspace_id, key_id, operation, day, calls, units)
       select workspace_id, key_id, operation, (at at time zone 'UTC')::date, count(*), sum(units) from usage_records where workspace_id = any($1::uuid[]) group by 1, 2, 3, 4`,
      [[own, team]],
    );
    await db.query('update users set deletion_scheduled_for = now() where id = $1', [userId]);
    const seedSeconds = (performance.now() - seeded) / 1000;
    const tableRows = Number((await db.query<{ n: string }>('select count(*) as n from usage_records')).rows[0].n);

    const data = { userId, scheduledFor: new Date().toISOString() };
    const started = performance.now();
    await queue.add(MaintenanceJob.AccountPurge, data, { ...ACCOUNT_PURGE_JOB_OPTIONS, jobId: accountPurgeJobId(data) });
    await until(async () => (await db.query('select 1 from users where id = $1', [userId])).rowCount === 0, {
      what: 'the account purged',
      timeoutMs: 600_000,
      intervalMs: 10,
    });
    const purgeMs = performance.now() - started;
    const left = (await db.query<{ n: string }>('select count(*) as n from usage_records where workspace_id = $1 or user_id = $2', [own, userId])).rows[0].n;
    if (left !== '0') throw new Error(`${left} usage records of the purged account left`);
    const line = /account purged: [^"]*/.exec(app.logs())?.[0] ?? '(no log line)';

    console.log(`machine: ${process.arch}, node ${process.version}; seeded in ${seedSeconds.toFixed(1)} s; usage_records holds ${tableRows} rows in all`);
    console.log(
      `purge of an account with ${RECORDS} usage records (+ ledger, request log, rollups) in its own workspace and ${TEAM_RECORDS} in a workspace it joined: ` +
        `${Math.round(purgeMs)} ms from the job's add to the user's row gone`,
    );
    console.log(`usage app: ${line}`);
  } finally {
    await app.stop();
    await queue.close();
    for (const table of ['usage_records', 'usage_daily', 'request_log', 'billing_ledger', 'billing_customers']) {
      await db.query(`delete from ${table} where workspace_id = any($1::uuid[])`, [[own, team]]);
    }
    await db.query('delete from workspaces where id = any($1::uuid[])', [[own, team]]);
    await db.query('delete from users where id = any($1::uuid[])', [[userId, teammateId]]);
    await db.end();
    await deleteKeys(REDIS_URL, `${prefix}:*`);
  }
}

runBench(main);
