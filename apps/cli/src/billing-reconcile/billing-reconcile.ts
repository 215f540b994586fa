import { Queue, QueueEvents } from 'bullmq';
import { z } from 'zod';
import { BillingJob, QueueName, type ReconciliationReport, reconciliationReportSchema } from '@nomosly/contracts';
import { env, loadConfig } from '@nomosly/config';

/** Resolves with undefined after `ms`, without keeping the process alive. */
function delay(ms: number): Promise<undefined> {
  return new Promise((resolve) => setTimeout(() => resolve(undefined), ms).unref());
}

export const billingReconcileConfigSchema = z.object({
  /** The billing app's own: its queue lives there, under its prefix. */
  EVENTS_REDIS_URL: env.url(['redis', 'rediss'], 'redis://127.0.0.1:6379'),
  QUEUE_PREFIX: env.queuePrefix(),
  /** How long to wait for the billing app to finish the run. */
  BILLING_RECONCILE_WAIT_MS: env.positiveInt(10 * 60_000),
});

/**
 * Puts one reconciliation on the billing queue, waits for a billing app to run it, and prints its figures. Tried
 * once: a failure is printed for the operator, who runs it again (the scheduled run retries on its own).
 */
export async function billingReconcile(dryRun: boolean, print: (line: string) => void, source: NodeJS.ProcessEnv = process.env): Promise<ReconciliationReport> {
  const config = loadConfig(billingReconcileConfigSchema, source);
  const connection = { url: config.EVENTS_REDIS_URL, maxRetriesPerRequest: null };
  const queue = new Queue(QueueName.Billing, { connection, prefix: config.QUEUE_PREFIX });
  const events = new QueueEvents(QueueName.Billing, { connection, prefix: config.QUEUE_PREFIX });
  try {
    await events.waitUntilReady();
    const job = await queue.add(BillingJob.Reconcile, { dryRun }, { attempts: 1, removeOnComplete: { age: 24 * 3600 }, removeOnFail: { age: 7 * 24 * 3600 } });
    print(`${dryRun ? 'dry run: ' : ''}reconciliation job ${job.id} queued on ${QueueName.Billing}; waiting for the billing app`);
    const result = await Promise.race([job.waitUntilFinished(events), delay(config.BILLING_RECONCILE_WAIT_MS)]);
    if (result === undefined) {
      const state = await job.getState();
      if (state === 'waiting' || state === 'prioritized') {
        // Nobody took it: it would otherwise run whenever a billing app next starts, long after the operator gave up.
        await job.remove();
        throw new Error(`no billing app took the job within ${config.BILLING_RECONCILE_WAIT_MS} ms (is one running on this EVENTS_REDIS_URL and QUEUE_PREFIX?); the job was withdrawn`);
      }
      throw new Error(`the run did not finish within ${config.BILLING_RECONCILE_WAIT_MS} ms (job ${job.id} is ${state}); its result stays on the queue`);
    }
    const report = reconciliationReportSchema.parse(result);
    for (const figures of report.workspaces) {
      print(
        `workspace ${figures.workspaceId} since ${figures.periodStart}: ours ${figures.ours} units, Polar ${figures.theirs}, ` +
          `drift ${figures.drift}, ${report.dryRun ? 'would re-send' : 're-sent'} ${figures.resent}`,
      );
    }
    for (const failure of report.failed) print(`workspace ${failure.workspaceId} FAILED: ${failure.error}`);
    const drifting = report.workspaces.filter((figures) => figures.drift !== 0).length;
    print(`${report.workspaces.length} workspaces checked, ${drifting} drifting${report.dryRun ? ' (dry run: nothing re-sent, nothing recorded)' : ''}`);
    return report;
  } finally {
    await events.close();
    await queue.close();
  }
}
