import type { Histogram, Registry } from 'prom-client';
import { createMetricsRegistry, httpRequestDuration } from '@nomosly/observability';

/** The console's Prometheus metrics, one registry per process. */
export class ConsoleMetrics {
  readonly registry: Registry = createMetricsRegistry('console');
  readonly httpDuration: Histogram<'method' | 'route' | 'status'> = httpRequestDuration(this.registry);
}
