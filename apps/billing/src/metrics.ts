import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { createMetricsRegistry, httpRequestDuration } from '@nomosly/observability';

/** The billing app's Prometheus metrics. */
export class BillingMetrics {
  readonly registry: Registry = createMetricsRegistry('billing');
  readonly httpDuration = httpRequestDuration(this.registry);
  readonly eventsSent = new Counter({
    name: 'billing_events_sent_total',
    help: 'Usage events Polar accepted (inserted, or already held: duplicate).',
    labelNames: ['result'],
    registers: [this.registry],
  });
  readonly eventsFailed = new Counter({
    name: 'billing_events_failed_total',
    help: 'Usage events not accepted by an ingest call: retry (Polar down, slow or limiting) or parked (refused as they are).',
    labelNames: ['reason'],
    registers: [this.registry],
  });
  readonly ledgerLag = new Gauge({
    name: 'billing_ledger_lag_seconds',
    help: 'Age of the oldest usage record not yet accepted by Polar (0 when none waits).',
    registers: [this.registry],
  });
  readonly ledgerBacklog = new Gauge({
    name: 'billing_ledger_unsent',
    help: 'Usage records waiting to be sent to Polar (parked ones apart).',
    labelNames: ['state'],
    registers: [this.registry],
  });
  readonly ingestDuration = new Histogram({
    name: 'billing_ingest_duration_seconds',
    help: 'Time of one ingest call to Polar.',
    buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });
  readonly webhooks = new Counter({
    name: 'billing_webhooks_total',
    help: 'Polar webhooks received, by type and outcome (applied, ignored, stale, duplicate, unparseable, invalid_signature).',
    labelNames: ['type', 'outcome'],
    registers: [this.registry],
  });
  // Per workspace would be a series per customer: the total and the count here, the workspace in the log line.
  readonly reconciliationDrift = new Gauge({
    name: 'billing_reconciliation_drift_units',
    help: "Sum over workspaces of |units in our ledger - units on Polar's customer meter| after the last reconciliation.",
    registers: [this.registry],
  });
  readonly reconciliationDrifting = new Gauge({
    name: 'billing_reconciliation_drifting_workspaces',
    help: 'Workspaces whose units still differed from Polar after the last reconciliation.',
    registers: [this.registry],
  });
  readonly reconciliationResent = new Counter({
    name: 'billing_reconciliation_resent_total',
    help: 'Usage events re-sent to Polar because the reconciliation found Polar lacked them.',
    registers: [this.registry],
  });
}
