import { Counter, type Histogram, type Registry } from 'prom-client';
import { createMetricsRegistry, httpRequestDuration } from '@nomosly/observability';

/** The console's Prometheus metrics, one registry per process. */
export class ConsoleMetrics {
  readonly registry: Registry = createMetricsRegistry('console');
  readonly httpDuration: Histogram<'method' | 'route' | 'status'> = httpRequestDuration(this.registry);
  readonly exports = new Counter({
    name: 'console_exports_total',
    help: 'Data exports (GET /api/me/export) by outcome: complete, abandoned (the client left before the end), failed.',
    labelNames: ['outcome'],
    registers: [this.registry],
  });
  readonly exportRows = new Counter({
    name: 'console_export_rows_total',
    help: 'Rows data exports have taken from their database cursors (a stalled client stops this count: backpressure).',
    registers: [this.registry],
  });
}
