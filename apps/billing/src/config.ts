import { z } from 'zod';
import { polarEnv } from '@nomosly/billing';
import { baseConfigSchema, env, loadConfig, queueWorkerEnv } from '@nomosly/config';

const WEBHOOK_SECRET = /^whsec_[A-Za-z0-9+/=_-]{16,}$/;

export const billingConfigSchema = baseConfigSchema.extend({
  /** The billing app's HTTP surface: Polar's webhooks, /healthz, /readyz, /metrics. */
  PORT: env.port(3004),
  DATABASE_URL: env.url(['postgres', 'postgresql'], 'postgres://postgres@127.0.0.1:5432/nomosly'),
  /** Carries the billing queue (the daily reconciliation) and the key-events channel the gateways listen on. */
  EVENTS_REDIS_URL: env.url(['redis', 'rediss'], 'redis://127.0.0.1:6379'),
  QUEUE_PREFIX: env.queuePrefix(),
  ...queueWorkerEnv,
  ...polarEnv,
  /** The endpoint secret Polar signs webhooks with (`whsec_...`, either of Polar's two secret formats). */
  POLAR_WEBHOOK_SECRET: z.string({ message: 'expected the Polar webhook secret, whsec_...' }).regex(WEBHOOK_SECRET, 'expected the Polar webhook secret, whsec_...'),
  /** Usage events sent to Polar in one ingest call, at most. */
  BILLING_BATCH_SIZE: env.positiveInt(1000),
  /** Ingest calls in flight at once. */
  BILLING_CONCURRENCY: env.positiveInt(4),
  /** How often the ledger is looked at for unsent usage when there was none the last time. */
  BILLING_POLL_MS: env.positiveInt(200),
  /**
   * Whether this replica sends the ledger's usage to Polar (true), or only takes Polar's webhooks and runs the billing
   * jobs (false): a deployment may keep its webhook receivers apart from its senders. One replica at least must send.
   */
  BILLING_SEND_USAGE: env.boolean(true),
  /** The longest a usage event waits between two failed sends to Polar (backoff doubles from 0.5 s up to it). */
  BILLING_RETRY_MAX_MS: env.positiveInt(60_000),
  /** When the reconciliation with Polar runs (a cron pattern, UTC; daily by default). Empty: never scheduled (tests run it by hand). */
  BILLING_RECONCILE_CRON: z.string().default('17 3 * * *'),
});
export type BillingConfig = z.infer<typeof billingConfigSchema>;

export const BILLING_CONFIG = Symbol('BILLING_CONFIG');

export function loadBillingConfig(source: NodeJS.ProcessEnv = process.env): BillingConfig {
  return loadConfig(billingConfigSchema, source);
}
