import { Histogram, type Registry } from 'prom-client';
import { createMetricsRegistry, httpRequestDuration, visionJobsTotal } from '@nomosly/observability';

/** The worker's Prometheus metrics. */
export class WorkerMetrics {
  readonly registry: Registry = createMetricsRegistry('vision-worker');
  readonly httpDuration = httpRequestDuration(this.registry);
  readonly visionJobs = visionJobsTotal(this.registry);
  readonly jobDuration = new Histogram({
    name: 'vision_job_duration_seconds',
    help: 'Time from taking a vision job to publishing its answer, by operation.',
    labelNames: ['operation'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.35, 0.5, 1, 2, 5, 10, 30],
    registers: [this.registry],
  });
}
