import { Worker } from 'node:worker_threads';

/**
 * What the fairness proof (gateway e2e) and `npm run bench:fairness` share: one workspace's calls timed one after
 * another, and another workspace flooding the gateway from many clients at once.
 */

/** One call: its HTTP status once the whole answer has been read. */
export type Call = () => Promise<number>;

/** A faces.detect call with `image` as the raw body, under `key`. */
export function detectCall(gatewayUrl: string, key: string, image: Buffer): Call {
  return async () => {
    const response = await fetch(`${gatewayUrl}/v1/faces/detect`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'image/png' },
      body: image,
    });
    await response.arrayBuffer();
    return response.status;
  };
}

export interface TimedCalls {
  statuses: number[];
  /** Milliseconds, in the order the calls were made. */
  latenciesMs: number[];
}

/** `count` calls, one after another (one in flight at a time). */
export async function timedCalls(call: Call, count: number): Promise<TimedCalls> {
  const result: TimedCalls = { statuses: [], latenciesMs: [] };
  for (let i = 0; i < count; i++) {
    const started = performance.now();
    result.statuses.push(await call());
    result.latenciesMs.push(performance.now() - started);
  }
  return result;
}

/** The q-quantile (0..1) of some values, nearest rank. */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) throw new Error('quantile of no values');
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

export interface Flood {
  /** Stops the clients, waits for their last calls, and counts the answers by status ('error': no answer). */
  stop(): Promise<Record<string, number>>;
}

export interface FloodOptions {
  gatewayUrl: string;
  key: string;
  image: Buffer;
  /** Concurrent clients, each a closed loop: its next call as soon as the last one is answered. */
  clients: number;
  /** After a 429 or 503, wait as its Retry-After says (as a well-behaved client does), or call again at once. */
  honourRetryAfter: boolean;
}

/** Runs in a thread of its own, so that the flood's clients never delay the calls the test times. */
const FLOOD_THREAD = `
const { parentPort, workerData } = require('node:worker_threads');
const { gatewayUrl, key, image, clients, honourRetryAfter } = workerData;
const body = Buffer.from(image);
const counts = {};
let running = true;
parentPort.once('message', () => { running = false; });
async function loop() {
  while (running) {
    let outcome = 'error';
    let retryAfter = 0;
    try {
      const response = await fetch(gatewayUrl + '/v1/faces/detect', {
        method: 'POST',
        headers: { authorization: 'Bearer ' + key, 'content-type': 'image/png' },
        body,
      });
      await response.arrayBuffer();
      outcome = String(response.status);
      retryAfter = Number(response.headers.get('retry-after') ?? 0);
    } catch {}
    counts[outcome] = (counts[outcome] ?? 0) + 1;
    if (honourRetryAfter && retryAfter > 0) {
      const until = Date.now() + retryAfter * 1000;
      while (running && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}
Promise.all(Array.from({ length: clients }, loop)).then(() => parentPort.postMessage(counts));
`;

/** Another workspace flooding the gateway from `clients` clients at once, in a thread of its own. */
export function startFlood(options: FloodOptions): Flood {
  const thread = new Worker(FLOOD_THREAD, { eval: true, workerData: { ...options, image: new Uint8Array(options.image) } });
  const counted = new Promise<Record<string, number>>((resolve, reject) => {
    thread.once('message', resolve);
    thread.once('error', reject);
  });
  return {
    stop: async () => {
      thread.postMessage('stop');
      const counts = await counted;
      await thread.terminate();
      return counts;
    },
  };
}
