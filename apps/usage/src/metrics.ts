import { Counter, Histogram, type Registry } from 'prom-client';
import { createMetricsRegistry, httpRequestDuration } from '@nomosly/observability';

/** The usage app's Prometheus metrics. */
export class UsageMetrics {
  readonly registry: Registry = createMetricsRegistry('usage');
  readonly httpDuration = httpRequestDuration(this.registry);
  readonly events = new Counter({
    name: 'usage_events_total',
    help: 'Event jobs by name and outcome: stored, duplicate (already stored), rejected (invalid), failed (to be retried).',
    labelNames: ['event', 'outcome'],
    registers: [this.registry],
  });
  readonly batchDuration = new Histogram({
    name: 'usage_batch_duration_seconds',
    help: 'Time to write one batch of events to Postgres, in one transaction.',
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });
  readonly batchSize = new Histogram({
    name: 'usage_batch_events',
    help: 'Events per written batch.',
    buckets: [1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500],
    registers: [this.registry],
  });
  readonly sweptRows = new Counter({
    name: 'usage_retention_deleted_rows_total',
    help: 'Rows deleted by the retention sweeps, by table.',
    labelNames: ['table'],
    registers: [this.registry],
  });
  readonly accountsPurged = new Counter({
    name: 'usage_accounts_purged_total',
    help: 'Accounts purged at the end of their deletion countdown (P7).',
    registers: [this.registry],
  });
}
