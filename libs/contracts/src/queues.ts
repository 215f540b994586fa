/** Queue names. Changing a value strands live jobs: add a new name instead. */
export const QueueName = Object.freeze({
  Vision: 'vision',
  /** Usage and request-log events, on the durable events Redis (see EventName). */
  Events: 'events',
  /** Scheduled housekeeping (the retention sweeps), on the events Redis; the usage app consumes it. */
  Maintenance: 'maintenance',
  /** The billing app's own jobs (the daily reconciliation with Polar), on the events Redis. */
  Billing: 'billing',
} as const);
export type QueueName = (typeof QueueName)[keyof typeof QueueName];

/**
 * Keys the vision queue's producers and consumers share on the vision Redis. `prefix` is the deployment's
 * queue prefix (BullMQ's `prefix`, `bull` by default), so that one Redis can hold several deployments. On Redis
 * Cluster the prefix is a hash tag (`{nomosly}`), and these keys, which start with it, live in the queue's own slot.
 */
export const VisionKeys = Object.freeze({
  /**
   * Image bytes of one job, read once by the worker with GETDEL. In the queue's slot on purpose: the gateway stores
   * the images and adds the job on one connection without waiting between them, which orders them only on one
   * node, and deletes a job's images with one DEL, which a cluster allows only within one slot.
   */
  image: (prefix: string, jobId: string, index: number) => `${prefix}:vision-image:${jobId}:${index}`,
  /** Pub/sub channel a gateway instance listens on for the results of its own jobs. */
  replyChannel: (prefix: string, instanceId: string) => `${prefix}:vision-reply:${instanceId}`,
});

/** Job names on the maintenance queue, shared by the usage app (which runs them) and the privacy audit (which reads when they last ran). */
export const MaintenanceJob = Object.freeze({
  RetentionSweep: 'retention.sweep',
  /** One account's purge at the end of its deletion countdown (P7); see account-deletion.ts. */
  AccountPurge: 'account.purge',
} as const);

/**
 * Completed retention sweeps kept on the maintenance queue (their results are row counts only): at the hourly
 * default, two days of them, so that `npm run cli -- privacy-audit` can tell when the last sweep finished.
 */
export const RETENTION_SWEEPS_KEPT = 48;

/** The retention sweep's scheduler id: fixed, so every usage replica upserts the same one schedule, and the audit finds it. */
export const RETENTION_SWEEP_SCHEDULER = 'retention-sweep';

/** Job names on the billing queue. */
export const BillingJob = Object.freeze({
  Reconcile: 'billing.reconcile',
  /** A purged workspace's Polar customer: its subscriptions revoked, the customer deleted and anonymised (P7); see account-deletion.ts. */
  DeleteCustomer: 'billing.delete-customer',
} as const);

/** The daily reconciliation's scheduler id: fixed, so that every billing replica upserts the same one schedule. */
export const BILLING_RECONCILE_SCHEDULER = 'billing-reconcile';
