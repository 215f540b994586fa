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
  readonly admissionRefusals = new Counter({
    name: 'vision_admission_refusals_total',
    help: 'Calls refused with 503 before queueing, by reason (queue_wait: the estimated wait passed VISION_MAX_QUEUE_WAIT_MS; backlog; shutting_down).',
    labelNames: ['reason'],
    registers: [this.registry],
  });
  readonly queueWaitEstimate = new Gauge({
    name: 'vision_queue_wait_estimate_ms',
    help: 'How long a job queued now would wait for a worker, as this gateway last estimated it (-1: no worker has reported a job time yet).',
    registers: [this.registry],
  });
  readonly keyLookups = new Counter({
    name: 'api_key_lookups_total',
    help: 'API key resolutions by where the answer came from (cache, unknown_cache for a hash known to match no key, or database).',
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
  readonly usageEvents = new Counter({
    name: 'usage_events_total',
    help: 'Usage events of 2xx answers: queued, failed (the answer became 503) or client_gone (not billed).',
    labelNames: ['outcome'],
    registers: [this.registry],
  });
  readonly requestEvents = new Counter({
    name: 'request_events_total',
    help: 'Request-log events after each response: queued or failed (logged, never the caller\'s problem).',
    labelNames: ['outcome'],
    registers: [this.registry],
  });
}
