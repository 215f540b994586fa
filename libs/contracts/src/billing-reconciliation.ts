import { z } from 'zod';

/** The data of a `BillingJob.Reconcile` job: a dry run counts and logs, and changes nothing. */
export const reconcileJobDataSchema = z.object({ dryRun: z.boolean().default(false) }).strict();
export type ReconcileJobData = z.input<typeof reconcileJobDataSchema>;

/** One workspace's figures in a reconciliation, as checked (before any re-sent record arrives). */
export const workspaceReconciliationSchema = z.object({
  workspaceId: z.string(),
  /** Since when both sides are counted: the subscription's current period start, else when its Polar customer was made. */
  periodStart: z.string(),
  /** Units our ledger says Polar accepted in the period. */
  ours: z.number(),
  /** Units on Polar's customer meter. */
  theirs: z.number(),
  /** ours - theirs. */
  drift: z.number(),
  /** Records handed back to the sender to be sent again (in a dry run: those that would have been). */
  resent: z.number(),
});
export type WorkspaceReconciliation = z.infer<typeof workspaceReconciliationSchema>;

/** The result of a `BillingJob.Reconcile` job, kept on the billing queue and printed by `npm run cli -- billing-reconcile`. */
export const reconciliationReportSchema = z.object({
  runId: z.string(),
  dryRun: z.boolean(),
  at: z.string(),
  workspaces: z.array(workspaceReconciliationSchema),
  /** Workspaces whose reconciliation failed this run (Polar unreachable, an error of ours); the others went on. */
  failed: z.array(z.object({ workspaceId: z.string(), error: z.string() })),
});
export type ReconciliationReport = z.infer<typeof reconciliationReportSchema>;
