import { MikroORM } from '@mikro-orm/postgresql';
import Redis from 'ioredis';
import { Client } from 'pg';
import { retentionFrom } from '@nomosly/contracts';
import { ormConfig } from '@nomosly/db';
import { checkApiKeyColumns } from './api-keys.check';
import { type AuditConfig, describeStore, loadAuditConfig } from './audit-config';
import { type AuditLine, formatLine, summaryLine } from './audit-line';
import { checkLogRedaction } from './logging.check';
import { checkLastSweep, checkRetainedRows } from './retention.check';
import { checkVisionRedisContents, checkVisionRedisSettings } from './vision-redis.check';
import { checkKeysOfNonMembers, checkWorkspaceAccess } from './workspace-access.check';

/** Exit codes: every check passed; a check failed or could not be made; a store could not be reached. */
export const AuditExit = Object.freeze({ Kept: 0, NotShownKept: 1, Unreachable: 2 } as const);

/**
 * `npm run cli -- privacy-audit`: checks, from outside, the promises of the deployment the environment names (the
 * apps' own variables) and prints one line per check. Returns the exit code.
 */
export async function privacyAudit(write: (line: string) => void): Promise<number> {
  const config = loadAuditConfig();
  const now = new Date();
  write(`nomosly privacy audit, ${now.toISOString()}`);
  write(`  database      ${describeStore(config.DATABASE_URL)}`);
  write(`  vision Redis  ${describeStore(config.VISION_REDIS_URL)} (queue prefix "${config.QUEUE_PREFIX}", deadline ${config.VISION_DEADLINE_MS} ms)`);
  write(`  events Redis  ${describeStore(config.EVENTS_REDIS_URL)}`);
  write(
    `  retention     request log ${config.RETENTION_REQUEST_LOG_DAYS} d, usage records ${config.RETENTION_USAGE_RECORD_DAYS} d, rollups ${config.RETENTION_ROLLUP_DAYS} d, invitations ${config.RETENTION_INVITATION_DAYS} d`,
  );
  write('');

  const stores = await connect(config);
  if ('unreachable' in stores) {
    write(`CANNOT REACH ${stores.unreachable}`);
    write('RESULT the audit could not run');
    return AuditExit.Unreachable;
  }
  const { db, vision, events } = stores;
  const orm = await MikroORM.init({ ...ormConfig({ url: config.DATABASE_URL, poolSize: 1 }), allowGlobalContext: true });
  const lines: AuditLine[] = [];
  const report = (found: AuditLine[]) => {
    for (const line of found) write(formatLine(line));
    lines.push(...found);
  };
  try {
    report(await checkVisionRedisSettings(vision, config.VISION_REDIS_PERSISTENCE_CHECKED));
    report(await checkVisionRedisContents(vision, config.QUEUE_PREFIX, config.VISION_DEADLINE_MS));
    report(await checkLogRedaction());
    report(await checkApiKeyColumns(db));
    report(await checkLastSweep(events, config.QUEUE_PREFIX, now));
    report(await checkRetainedRows(db, retentionFrom(config), now));
    report(await checkWorkspaceAccess(db, orm.em));
    report(await checkKeysOfNonMembers(db, now));
  } finally {
    await orm.close(true);
    await db.end();
    vision.disconnect();
    events.disconnect();
  }
  write('');
  write(summaryLine(lines));
  return lines.every((line) => line.status === 'PASS') ? AuditExit.Kept : AuditExit.NotShownKept;
}

type Stores = { db: Client; vision: Redis; events: Redis } | { unreachable: string };

/** Connects to each store once, failing fast (no retries): an audit reports an unreachable store, it does not wait. */
async function connect(config: AuditConfig): Promise<Stores> {
  const db = new Client({ connectionString: config.DATABASE_URL, connectionTimeoutMillis: 5_000 });
  try {
    await db.connect();
  } catch (error) {
    return { unreachable: `the database at ${describeStore(config.DATABASE_URL)}: ${(error as Error).message}` };
  }
  const opened: Redis[] = [];
  for (const [label, url] of [['vision Redis', config.VISION_REDIS_URL], ['events Redis', config.EVENTS_REDIS_URL]] as const) {
    const redis = new Redis(url, { lazyConnect: true, connectTimeout: 5_000, maxRetriesPerRequest: 0, retryStrategy: () => null, connectionName: 'privacy-audit' });
    let lastError: Error | undefined;
    redis.on('error', (error: Error) => (lastError = error));
    try {
      await redis.connect();
      await redis.ping();
      opened.push(redis);
    } catch (error) {
      redis.disconnect();
      for (const open of opened) open.disconnect();
      await db.end();
      return { unreachable: `the ${label} at ${describeStore(url)}: ${(lastError ?? (error as Error)).message}` };
    }
  }
  return { db, vision: opened[0], events: opened[1] };
}
