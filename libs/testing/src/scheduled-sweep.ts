import { QueueEvents } from 'bullmq';
import { QueueName } from '@nomosly/contracts';
import { startApp } from './app-process';
import { TEST_REDIS_URL } from './services';
import { testQueue } from './events';

export interface ScheduledSweep {
  /** The completed job's name (MaintenanceJob.RetentionSweep when the scheduler made it). */
  name: string | undefined;
  /** What the sweep returned: rows deleted per table. */
  returnvalue: unknown;
}

/**
 * Starts the usage app with its retention sweep scheduled every second on the maintenance queue under `prefix`,
 * waits for the first sweep to complete, and stops the app. Fails with the app's logs when none completes within
 * `timeoutMs`.
 */
export async function runScheduledSweep({
  databaseUrl,
  prefix,
  env = {},
  timeoutMs = 30_000,
}: {
  databaseUrl: string;
  prefix: string;
  /** More usage app variables (RETENTION_*_DAYS). */
  env?: Record<string, string>;
  timeoutMs?: number;
}): Promise<ScheduledSweep> {
  const events = new QueueEvents(QueueName.Maintenance, { connection: { url: TEST_REDIS_URL }, prefix });
  const maintenance = testQueue(QueueName.Maintenance, prefix);
  let timer: NodeJS.Timeout | undefined;
  try {
    await events.waitUntilReady();
    const swept = new Promise<{ jobId: string; returnvalue: unknown }>((resolve) => events.once('completed', resolve));
    const app = await startApp('usage', { DATABASE_URL: databaseUrl, EVENTS_REDIS_URL: TEST_REDIS_URL, QUEUE_PREFIX: prefix, ...env, RETENTION_SWEEP_CRON: '* * * * * *' });
    try {
      const timedOut = new Promise<never>((_resolve, reject) => {
        timer = setTimeout(() => reject(new Error(`no scheduled retention sweep completed within ${timeoutMs} ms:\n${app.logs()}`)), timeoutMs);
      });
      const completed = await Promise.race([swept, timedOut]);
      const job = await maintenance.getJob(completed.jobId);
      return { name: job?.name, returnvalue: completed.returnvalue };
    } finally {
      await app.stop();
    }
  } finally {
    clearTimeout(timer);
    await events.close();
    await maintenance.close();
  }
}
