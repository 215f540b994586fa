import { Counter, Gauge, type Histogram, type Registry } from 'prom-client';
import { createMetricsRegistry, httpRequestDuration, visionJobsTotal } from '@nomosly/observability';

/** The gateway's Prometheus metrics, one registry per process. */
export class GatewayMetrics {
  readonly registry: Registry = createMetricsRegistry('gateway');
  readonly httpDuration: Histogram<'method' | 'route' | 'status'> = httpRequestDuration(this.registry);
  readonly visionJobs = visionJobsTotal(this.registry);
  readonly visionWorkers = new Gauge({
    name: 'vision_workers',
    help: 'Vision workers listening on the queue, as last counted by this gateway.',
    registers: [this.registry],
  });
  readonly keyLookups = new Counter({
    name: 'api_key_lookups_total',
    help: 'API key resolutions by where the answer came from (cache or database).',
    labelNames: ['source'],
    registers: [this.registry],
  });
  readonly keyCacheInvalidations = new Counter({
    name: 'api_key_cache_invalidations_total',
    help: 'Key cache entries dropped on a key event, by its type (key, workspace; all after a lost subscription).',
    labelNames: ['type'],
    registers: [this.registry],
  });
  readonly limitRefusals = new Counter({
    name: 'limit_refusals_total',
    help: 'Calls refused by a limit, by policy (rate, daily, quota, spend_cap).',
    labelNames: ['policy'],
    registers: [this.registry],
  });
  readonly lastUsedStamps = new Counter({
    name: 'api_key_last_used_stamps_total',
    help: 'Last-used stamps tried past the in-process gate: written, skipped (another replica had the minute) or failed.',
    labelNames: ['outcome'],
    registers: [this.registry],
  });
}
