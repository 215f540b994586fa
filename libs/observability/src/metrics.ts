import type { FastifyInstance } from 'fastify';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** One Prometheus registry per process, with the process's default metrics and the app's name as a label. */
export function createMetricsRegistry(service: string): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  collectDefaultMetrics({ register: registry });
  return registry;
}

export function httpRequestDuration(registry: Registry): Histogram<'method' | 'route' | 'status'> {
  return new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request latency by method, route pattern and status.',
    labelNames: ['method', 'route', 'status'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [registry],
  });
}

export function visionJobsTotal(registry: Registry): Counter<'operation' | 'outcome'> {
  return new Counter({
    name: 'vision_jobs_total',
    help: 'Vision jobs by operation and outcome (ok, or the error code).',
    labelNames: ['operation', 'outcome'],
    registers: [registry],
  });
}

/** A scrape does not wait longer than this for the queue depth: a Redis that is down would hold it for ever. */
const QUEUE_DEPTH_WAIT_MS = 1_000;

/** Queue depth by state, read from Redis when scraped. */
export function queueDepthGauge(registry: Registry, readCounts: () => Promise<Record<string, number>>): Gauge<'state'> {
  return new Gauge({
    name: 'vision_queue_jobs',
    help: 'Jobs in the vision queue by state.',
    labelNames: ['state'],
    registers: [registry],
    async collect() {
      let timer: NodeJS.Timeout | undefined;
      try {
        const counts = await Promise.race([
          readCounts(),
          new Promise<never>((_, reject) => {
            timer = setTimeout(() => reject(new Error('no answer')), QUEUE_DEPTH_WAIT_MS);
          }),
        ]);
        for (const [state, count] of Object.entries(counts)) this.set({ state }, count);
      } catch {
        // Redis down: the queue depth is unknown; /readyz says why.
      } finally {
        clearTimeout(timer);
      }
    },
  });
}

/** Observes every response's latency by method, route pattern and status (unmatched routes pooled). */
export function observeHttpLatency(instance: unknown, histogram: Histogram<'method' | 'route' | 'status'>): void {
  // Typed loosely: plugins (multipart) augment FastifyInstance in ways that make instances incompatible.
  (instance as FastifyInstance).addHook('onResponse', (request, reply, done) => {
    histogram.observe(
      { method: request.method, route: request.routeOptions.url ?? 'unmatched', status: String(reply.statusCode) },
      reply.elapsedTime / 1000,
    );
    done();
  });
}
