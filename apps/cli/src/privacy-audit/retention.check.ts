import type Redis from 'ioredis';
import type { Client } from 'pg';
import { MaintenanceJob, QueueName, RETENTION_SWEEP_SCHEDULER, type Retention, retentionCutoffs } from '@nomosly/contracts';
import { type AuditLine, cannotCheck, fail, pass } from './audit-line';

const HOUR_MS = 60 * 60 * 1000;
/** The sweep runs hourly by default: one is due within two hours, and a row may be that much past its limit. */
export const SWEEP_WINDOW_MS = 2 * HOUR_MS;

/** P6: when the last retention sweep finished, from the completed jobs the usage app keeps on the maintenance queue. */
export async function checkLastSweep(events: Redis, prefix: string, now: Date): Promise<AuditLine[]> {
  const queueKey = `${prefix}:${QueueName.Maintenance}`;
  // Newest first; the score is when the job finished.
  const completed = await events.zrevrange(`${queueKey}:completed`, 0, 99, 'WITHSCORES');
  let last: number | null = null;
  for (let i = 0; i < completed.length && last === null; i += 2) {
    if ((await events.hget(`${queueKey}:${completed[i]}`, 'name')) === MaintenanceJob.RetentionSweep) last = Number(completed[i + 1]);
  }
  if (last === null) {
    // A deployment younger than its first sweep: say when the sweep is due rather than that it never ran.
    const next = await events.zscore(`${queueKey}:repeat`, RETENTION_SWEEP_SCHEDULER);
    if (next !== null) {
      return [cannotCheck('P6', `no retention sweep has completed yet; the next is scheduled for ${new Date(Number(next)).toISOString()}: audit again after it`)];
    }
    return [fail('P6', `no retention sweep has completed or is scheduled (none on the ${QueueName.Maintenance} queue under prefix "${prefix}"): is the usage app running with RETENTION_SWEEP_CRON set?`)];
  }
  const ago = now.getTime() - last;
  const when = `${new Date(last).toISOString()}, ${Math.round(ago / 60_000)} min ago`;
  if (ago > SWEEP_WINDOW_MS) return [fail('P6', `the last retention sweep finished ${when}: more than two hours ago`)];
  return [pass('P6', `the last retention sweep finished ${when}: within two hours`)];
}

/** P6: no row older than its retention (allowing the two hours between sweeps). */
export async function checkRetainedRows(db: Client, retention: Retention, now: Date): Promise<AuditLine[]> {
  const cutoffs = retentionCutoffs(retention, new Date(now.getTime() - SWEEP_WINDOW_MS));
  const tables = [
    { table: 'request_log', age: '"at"', cutoff: cutoffs.requestLogFrom.toISOString(), cast: 'timestamptz', days: retention.requestLogDays },
    { table: 'usage_records', age: '"at"', cutoff: cutoffs.usageRecordsFrom.toISOString(), cast: 'timestamptz', days: retention.usageRecordDays },
    { table: 'usage_daily', age: '"day"', cutoff: cutoffs.usageDailyFrom, cast: 'date', days: retention.rollupDays },
    // Counted from acceptance, or else from expiry, as the sweep counts them.
    { table: 'invitations', age: 'coalesce("accepted_at", "expires_at")', cutoff: cutoffs.invitationsFrom.toISOString(), cast: 'timestamptz', days: retention.invitationDays },
  ];
  const lines: AuditLine[] = [];
  for (const { table, age, cutoff, cast, days } of tables) {
    const { rows } = await db.query<{ n: string; oldest: Date | string | null }>(
      `select count(*) as n, min(${age})::text as oldest from ${table} where ${age} < $1::${cast}`,
      [cutoff],
    );
    const expired = Number(rows[0].n);
    lines.push(
      expired
        ? fail('P6', `${table} holds ${expired} row${expired === 1 ? '' : 's'} older than its retention of ${days} days (oldest ${rows[0].oldest})`)
        : pass('P6', `${table} holds no row older than its retention of ${days} days`),
    );
  }
  return lines;
}
