import { createHash } from 'node:crypto';
import type { JobsOptions } from 'bullmq';
import { z } from 'zod';

/**
 * Account deletion (P7). The console schedules a delayed `account.purge` job on the maintenance queue for the
 * end of the countdown; the usage app runs it (and its hourly sweep purges any account whose countdown ended
 * without one). Each workspace purged with the account gets a `billing.delete-customer` job on the billing queue,
 * which the billing app runs against Polar.
 */
export const accountPurgeJobSchema = z.strictObject({
  userId: z.uuid(),
  /** The countdown's end the job was scheduled for; the purge re-reads the user's own date before acting. */
  scheduledFor: z.iso.datetime({ offset: true }),
});
export type AccountPurgeJob = z.infer<typeof accountPurgeJobSchema>;

/**
 * The purge job's id: one per user and countdown, so that scheduling the same countdown twice adds one job. A
 * hash, not the ids themselves: job ids outlive the job in the queue's event stream, and the purged user's id
 * must not.
 */
export function accountPurgeJobId(job: AccountPurgeJob): string {
  const digest = createHash('sha256').update(`${job.userId}|${new Date(job.scheduledFor).toISOString()}`).digest('hex');
  return `account-purge-${digest.slice(0, 32)}`;
}

/**
 * A failed purge is retried a few times; after that the hourly sweep finds the overdue account again, so a
 * failed job (and the user id in it) is not kept.
 */
export const ACCOUNT_PURGE_JOB_OPTIONS = Object.freeze({
  attempts: 5,
  backoff: { type: 'exponential', delay: 10_000 },
  removeOnComplete: true,
  removeOnFail: true,
} satisfies JobsOptions);

/** The default countdown: 72 hours. */
export const DEFAULT_ACCOUNT_DELETION_GRACE_SECONDS = 72 * 3600;

export const deleteCustomerJobSchema = z.strictObject({
  /** The purged workspace, which is its Polar customer's external id. */
  workspaceId: z.uuid(),
});
export type DeleteCustomerJob = z.infer<typeof deleteCustomerJobSchema>;

/** One deletion per workspace at a time: enqueuing it again while one waits adds nothing. */
export function deleteCustomerJobId(job: DeleteCustomerJob): string {
  return `delete-customer-${job.workspaceId}`;
}

/**
 * Polar may be down for a while: attempts with backoff from 30 s (about a day in all). The customer's row stays
 * in billing_customers until Polar confirms, and the usage app's hourly sweep enqueues it again, so a job that
 * ran out of attempts is not the end of it (and is not kept: a kept job's id would refuse that new one).
 */
export const DELETE_CUSTOMER_JOB_OPTIONS = Object.freeze({
  attempts: 12,
  backoff: { type: 'exponential', delay: 30_000 },
  removeOnComplete: true,
  removeOnFail: true,
} satisfies JobsOptions);
