import http from 'node:http';

export interface LoadResult {
  clients: number;
  requests: number;
  errors: number;
  seconds: number;
  throughput: number;
  p50: number;
  p99: number;
}

export interface LoadRequest {
  url: string;
  headers: Record<string, string>;
  body: Buffer;
}

/**
 * Closed-loop load: `clients` loops, each sending its next request when the last one answered, over
 * keep-alive connections, for `seconds`. Latencies are per request, in milliseconds. Given several requests
 * (one per gateway), each next request goes to the next of them in turn, as a round-robin load balancer would.
 */
export async function runLoad(request: LoadRequest | LoadRequest[], clients: number, seconds: number): Promise<LoadResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: clients });
  const targets = (Array.isArray(request) ? request : [request]).map((each) => ({ request: each, url: new URL(each.url) }));
  let turn = 0;
  const latencies: number[] = [];
  let errors = 0;
  const started = performance.now();
  const until = started + seconds * 1000;

  const send = () =>
    new Promise<number>((resolve) => {
      const { request: sent, url: target } = targets[turn++ % targets.length];
      const t0 = performance.now();
      const req = http.request(
        {
          agent,
          host: target.hostname,
          port: target.port,
          path: target.pathname + target.search,
          method: 'POST',
          headers: { ...sent.headers, 'content-length': String(sent.body.length) },
        },
        (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode === 200 ? performance.now() - t0 : -1));
        },
      );
      req.on('error', () => resolve(-1));
      req.end(sent.body);
    });

  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (performance.now() < until) {
        const latency = await send();
        if (latency < 0) errors++;
        else latencies.push(latency);
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  const pick = (q: number) => (latencies.length ? latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] : NaN);
  return {
    clients,
    requests: latencies.length,
    errors,
    seconds: elapsed,
    throughput: latencies.length / elapsed,
    p50: pick(0.5),
    p99: pick(0.99),
  };
}

export function formatRow(label: string, result: LoadResult): string {
  return [
    label.padEnd(34),
    String(result.clients).padStart(3),
    `${result.p50.toFixed(2)} ms`.padStart(12),
    `${result.p99.toFixed(2)} ms`.padStart(12),
    `${result.throughput.toFixed(0)} req/s`.padStart(12),
    `${result.errors} errors`.padStart(10),
  ].join('  ');
}
