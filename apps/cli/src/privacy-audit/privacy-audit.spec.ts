import { randomUUID } from 'node:crypto';
import { Queue } from 'bullmq';
import Redis from 'ioredis';
import { Client } from 'pg';
import { MaintenanceJob, QueueName, RETENTION_SWEEP_SCHEDULER } from '@nomosly/contracts';
import {
  type RedisServer,
  type ScratchDatabase,
  TEST_REDIS_URL,
  createKeyWithCli,
  createScratchDatabase,
  deleteKeys,
  freePort,
  insertUsageRows,
  runCli,
  runScheduledSweep,
  startRedisServer,
  uniquePrefix,
} from '@nomosly/testing';

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * `npm run cli -- privacy-audit` against a deployment of its own: a migrated database nothing else uses, a private
 * vision Redis, the events Redis under a prefix of its own, and a usage app that has run its scheduled sweep. Then
 * each promise is broken in turn, and the audit must say so.
 */
describe('cli privacy-audit', () => {
  const prefix = uniquePrefix('audit');
  let database: ScratchDatabase;
  let vision: RedisServer;
  let db: Client;
  let env: Record<string, string>;
  const audit = (overrides: Record<string, string> = {}) => {
    const result = runCli(['privacy-audit'], { ...env, ...overrides });
    return { ...result, lines: result.stdout.trim().split('\n') };
  };
  /** Breaks the deployment with `plant`, expects the audit to print `line` and exit 1, and undoes it with `undo` whatever happens. */
  const expectFailureWhile = async (plant: () => Promise<unknown>, undo: () => Promise<unknown>, line: string | RegExp) => {
    await plant();
    try {
      const { status, lines } = audit();
      expect(lines).toContainEqual(typeof line === 'string' ? line : expect.stringMatching(line));
      expect(status).toBe(1);
    } finally {
      await undo();
    }
  };

  beforeAll(async () => {
    database = await createScratchDatabase('audit');
    vision = await startRedisServer();
    db = new Client({ connectionString: database.url });
    await db.connect();
    env = { DATABASE_URL: database.url, VISION_REDIS_URL: vision.url, EVENTS_REDIS_URL: TEST_REDIS_URL, QUEUE_PREFIX: prefix };
    // Two users with a workspace each: each is the other workspace's non-member.
    createKeyWithCli(database.url, `audit-a-${randomUUID().slice(0, 8)}@cli.test`);
    createKeyWithCli(database.url, `audit-b-${randomUUID().slice(0, 8)}@cli.test`);
    // The usage app runs its scheduled sweep once (every second), as a deployment's does hourly.
    await runScheduledSweep({ databaseUrl: database.url, prefix });
  });

  afterAll(async () => {
    await deleteKeys(TEST_REDIS_URL, `${prefix}:*`);
    await vision?.stop();
    await db?.end();
    await database?.drop();
  });

  it('P1 P2 P3 P5 P6 P11: a healthy deployment passes every check, with a header naming what was audited, and exits 0', async () => {
    // What BullMQ writes to the events stream when a vision job completes: the worker returns nothing.
    const redis = new Redis(vision.url);
    await redis.xadd(`${prefix}:${QueueName.Vision}:events`, '*', 'event', 'completed', 'jobId', 'done-1', 'returnvalue', 'null', 'prev', 'active');
    redis.disconnect();
    const { status, lines, stderr } = audit();
    expect(stderr).toBe('');
    expect(lines[0]).toMatch(/^nomosly privacy audit, \d{4}-\d{2}-\d{2}T/);
    expect(lines[1]).toBe(`  database      ${new URL(database.url).host}${new URL(database.url).pathname}`);
    expect(lines[2]).toBe(`  vision Redis  127.0.0.1:${vision.port} (queue prefix "${prefix}", deadline 30000 ms)`);
    const checks = lines.filter((line) => /^(PASS|FAIL|CANNOT CHECK) /.test(line));
    expect(checks).toEqual([
      'PASS P1 vision Redis keeps nothing on disk (save "", appendonly no, slow log off)',
      'PASS P1 no image key outlives the 30000 ms deadline (0 in flight now)',
      'PASS P1 no vision job older than the 30000 ms deadline (0 in flight now)',
      'PASS P5 no vision job hash holds a returned value',
      "PASS P5 the vision queue's events stream holds no returned value (1 entry read)",
      expect.stringMatching(/^PASS P2 log redaction is on/),
      'PASS P3 api_keys has only the documented columns (12: metadata and the SHA-256 hash)',
      expect.stringMatching(/^PASS P6 the last retention sweep finished \S+, [0-2] min ago: within two hours$/),
      'PASS P6 request_log holds no row older than its retention of 30 days',
      'PASS P6 usage_records holds no row older than its retention of 400 days',
      'PASS P6 usage_daily holds no row older than its retention of 2557 days',
      'PASS P6 invitations holds no row older than its retention of 30 days',
      'PASS P11 a sample of 2 workspaces: each refused to a user who is not its member',
      'PASS P11 no active API key was created by a user who is not a member of its workspace',
    ]);
    expect(lines.at(-1)).toBe('RESULT all 14 checks PASS');
    expect(status).toBe(0);
  });

  it('P1: a vision Redis that writes an append-only file fails the audit, exit 1', async () => {
    const persistent = await startRedisServer({ appendonly: true });
    try {
      const { status, lines } = audit({ VISION_REDIS_URL: persistent.url });
      expect(lines).toContain('FAIL P1 vision Redis: appendonly is "yes": it writes every command to disk; run it with appendonly no');
      expect(lines.at(-1)).toBe('RESULT 13 of 14 checks PASS, 1 FAIL, 0 CANNOT CHECK: not every promise checked is shown kept');
      expect(status).toBe(1);
    } finally {
      await persistent.stop();
    }
  });

  it('P1: a vision Redis that refuses CONFIG cannot be checked (exit 1), unless the operator says they checked it', async () => {
    const managed = await startRedisServer({ args: ['--rename-command', 'CONFIG', ''] });
    try {
      const url = managed.url;
      const unchecked = audit({ VISION_REDIS_URL: url });
      expect(unchecked.lines).toContainEqual(
        expect.stringMatching(/^CANNOT CHECK P1 vision Redis persistence and slow log: it refuses CONFIG \(.+\); check them by hand, then set VISION_REDIS_PERSISTENCE_CHECKED=1$/),
      );
      expect(unchecked.lines.at(-1)).toBe('RESULT 13 of 14 checks PASS, 0 FAIL, 1 CANNOT CHECK: not every promise checked is shown kept');
      expect(unchecked.status).toBe(1);
      const vouched = audit({ VISION_REDIS_URL: url, VISION_REDIS_PERSISTENCE_CHECKED: '1' });
      expect(vouched.lines).toContainEqual(expect.stringMatching(/^PASS P1 vision Redis keeps nothing on disk: checked by the operator \(VISION_REDIS_PERSISTENCE_CHECKED=1\); it refuses CONFIG/));
      expect(vouched.status).toBe(0);
    } finally {
      await managed.stop();
    }
  });

  it('P1 P5: a vision job left past the deadline with its result in its hash and in the events stream fails the audit', async () => {
    const redis = new Redis(vision.url);
    const jobKey = `${prefix}:${QueueName.Vision}:planted-1`;
    const imageKey = `${prefix}:vision-image:planted-1:0`;
    try {
      await redis.hset(jobKey, { name: 'faces.detect', data: '{}', timestamp: String(Date.now() - 60_000), returnvalue: '{"faces":[{"boundingBox":{"left":0.1}}]}' });
      await redis.set(imageKey, 'image bytes');
      const entry = await redis.xadd(`${prefix}:${QueueName.Vision}:events`, '*', 'event', 'completed', 'jobId', 'planted-1', 'returnvalue', '{"faces":[]}');
      const { status, lines } = audit();
      expect(lines).toContain(`FAIL P1 image keys outlive the 30000 ms deadline: ${imageKey} (no expiry)`);
      expect(lines).toContainEqual(expect.stringMatching(/^FAIL P1 vision jobs older than the 30000 ms deadline: planted-1 \(6\d s old\)$/));
      expect(lines).toContain('FAIL P5 vision job hashes hold a returned value (results kept in Redis): planted-1');
      expect(lines).toContain(`FAIL P5 the vision queue's events stream holds returned values: entries ${entry}`);
      expect(status).toBe(1);
    } finally {
      await redis.del(jobKey, imageKey, `${prefix}:${QueueName.Vision}:events`);
      redis.disconnect();
    }
  });

  it('P11: an active key whose creator is not a member of its workspace fails the audit, with the key named; revoked or expired ones do not', async () => {
    // One user's id, and a workspace they are not a member of: the key a removal left behind.
    const { rows } = await db.query<{ workspace_id: string; user_id: string }>(
      `select w.id as workspace_id, u.id as user_id from workspaces w, users u
        where not exists (select 1 from memberships m where m.workspace_id = w.id and m.user_id = u.id) limit 1`,
    );
    const [{ workspace_id: workspaceId, user_id: userId }] = rows;
    const plant = async (id: string, prefix: string, revokedAt: Date | null, expiresAt: Date | null) =>
      db.query(
        `insert into api_keys (id, workspace_id, created_by_id, name, prefix, hash, scopes, revoked_at, expires_at)
         values ($1, $2, $3, 'left behind', $4, $5, '{faces:detect}', $6, $7)`,
        [id, workspaceId, userId, prefix, randomUUID().replaceAll('-', '').padEnd(64, '0'), revokedAt, expiresAt],
      );
    const active = randomUUID();
    const settled = [randomUUID(), randomUUID()];
    try {
      await plant(settled[0], 'nk_live_Rvkd', new Date(), null);
      await plant(settled[1], 'nk_live_Expd', null, new Date(Date.now() - DAY_MS));
      expect(audit().lines).toContain('PASS P11 no active API key was created by a user who is not a member of its workspace');

      await plant(active, 'nk_live_Left', null, null);
      const { status, lines } = audit();
      expect(lines).toContain(
        `FAIL P11 1 active API key was created by a user who is not a member of its workspace (revoke them): key nk_live_Left… (${active}) in workspace ${workspaceId}, created by user ${userId}`,
      );
      expect(status).toBe(1);
    } finally {
      await db.query('delete from api_keys where id = any($1::uuid[])', [[active, ...settled]]);
    }
  });

  it('P3: a column beyond the documented key metadata fails the audit', async () => {
    await expectFailureWhile(
      () => db.query('alter table api_keys add column secret_hint text'),
      () => db.query('alter table api_keys drop column secret_hint'),
      'FAIL P3 api_keys has columns beyond the documented metadata: secret_hint',
    );
  });

  it('P6: a request-log row older than its retention fails the audit; so does a deployment whose sweeps stopped', async () => {
    const requestId = `audit-aged-${randomUUID()}`;
    const at = new Date(Date.now() - 31 * DAY_MS);
    await expectFailureWhile(
      () =>
        insertUsageRows(database.url, {
          requests: [{ requestId, workspaceId: null, at, ip: '127.0.0.1', method: 'POST', path: '/v1/faces/detect', status: 200, latencyMs: 5, keyPrefix: null }],
        }),
      () => db.query('delete from request_log where request_id = $1', [requestId]),
      /^FAIL P6 request_log holds 1 row older than its retention of 30 days \(oldest \d{4}-/,
    );
    // An invitation accepted 31 days ago, with the invitee's email: past its 30 days (and the two hours between sweeps).
    const { rows } = await db.query<{ id: string }>('select id from workspaces limit 1');
    const invitationId = randomUUID();
    await expectFailureWhile(
      () =>
        db.query(
          `insert into invitations (id, workspace_id, email, role, created_at, expires_at, accepted_at) values ($1, $2, $3, 'member', $4, $4, $4)`,
          [invitationId, rows[0].id, `aged-${randomUUID().slice(0, 8)}@cli.test`, new Date(Date.now() - 31 * DAY_MS)],
        ),
      () => db.query('delete from invitations where id = $1', [invitationId]),
      /^FAIL P6 invitations holds 1 row older than its retention of 30 days \(oldest \d{4}-/,
    );
    const elsewhere = audit({ QUEUE_PREFIX: uniquePrefix('audit-nosweep') });
    expect(elsewhere.lines).toContainEqual(expect.stringMatching(/^FAIL P6 no retention sweep has completed or is scheduled/));
    expect(elsewhere.status).toBe(1);

    // A deployment younger than its first sweep cannot be shown to sweep yet: not a pass, not a failure either.
    const young = uniquePrefix('audit-young');
    const maintenance = new Queue(QueueName.Maintenance, { connection: { url: TEST_REDIS_URL }, prefix: young });
    try {
      await maintenance.upsertJobScheduler(RETENTION_SWEEP_SCHEDULER, { pattern: '0 0 1 1 *', tz: 'UTC' }, { name: MaintenanceJob.RetentionSweep });
      const fresh = audit({ QUEUE_PREFIX: young });
      expect(fresh.lines).toContainEqual(expect.stringMatching(/^CANNOT CHECK P6 no retention sweep has completed yet; the next is scheduled for \d{4}-01-01T00:00:00\.000Z/));
      expect(fresh.status).toBe(1);
    } finally {
      await maintenance.obliterate({ force: true });
      await maintenance.close();
    }
  });

  it('exits 2 and says which store it could not reach', async () => {
    const closed = `redis://127.0.0.1:${await freePort()}`;
    const { status, lines } = audit({ EVENTS_REDIS_URL: closed });
    expect(lines.at(-2)).toMatch(new RegExp(`^CANNOT REACH the events Redis at 127\\.0\\.0\\.1:${new URL(closed).port}: `));
    expect(lines.at(-1)).toBe('RESULT the audit could not run');
    expect(status).toBe(2);
  });
});
