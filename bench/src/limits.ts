import 'reflect-metadata';
import path from 'node:path';
import Redis from 'ioredis';
import { GENEROUS_TEST_PLANS, REPO_ROOT, TEST_DATABASE_URL, TEST_REDIS_URL, createKeyWithCli, deleteKeys, uniquePrefix } from '@nomosly/testing';
import { runBenchWithVisionRedis } from './run-bench';

/**
 * `npm run bench:limits`: what key resolution and every limit check add to a call when the key is cached, in
 * process: the gateway's own ApiKeyAuth.admit (hash, cache, scope, the admit script on the events Redis,
 * headers), called directly on a gateway app that is initialised but not listening. The events Redis round
 * trip on its own (PING) is printed beside it as the floor.
 */
const ITERATIONS = Number(process.env.BENCH_ITERATIONS ?? 5000);
const DATABASE_URL = process.env.DATABASE_URL ?? TEST_DATABASE_URL;
const REDIS_URL = process.env.EVENTS_REDIS_URL ?? TEST_REDIS_URL;

/** The parts of the built gateway this bench drives (loaded from dist/ at run time: apps are not libraries). */
interface GatewayApp {
  init(): Promise<unknown>;
  close(): Promise<void>;
  get<T>(token: unknown): T;
}
interface ApiKeyAuthLike {
  admit(request: unknown, reply: { headers(values: Record<string, string>): unknown }, operation: string): Promise<void>;
}
/** Gives back the call's slot among its workspace's calls in flight, as the gateway does when a response closes. */
interface CallLimitsLike {
  release(ticket: unknown): Promise<void>;
}

async function main(visionRedisUrl: string): Promise<void> {
  const built = (file: string) => path.join(REPO_ROOT, 'dist/apps/gateway/src', file);
  const { createGateway } = (await import(built('bootstrap.js'))) as { createGateway(config: unknown, log: unknown): Promise<GatewayApp> };
  const { loadGatewayConfig } = (await import(built('config.js'))) as { loadGatewayConfig(env: Record<string, string>): unknown };
  const { ApiKeyAuth } = (await import(built('auth/api-key-auth.js'))) as { ApiKeyAuth: unknown };
  const { CallLimits } = (await import(built('limits/call-limits.service.js'))) as { CallLimits: unknown };

  const prefix = uniquePrefix('bench-limits');
  const config = loadGatewayConfig({
    DATABASE_URL,
    VISION_REDIS_URL: visionRedisUrl,
    EVENTS_REDIS_URL: REDIS_URL,
    QUEUE_PREFIX: prefix,
    PLANS: GENEROUS_TEST_PLANS,
    LOG_LEVEL: 'warn',
  });
  const app = await createGateway(config, { write: () => undefined });
  await app.init();
  const auth = app.get<ApiKeyAuthLike>(ApiKeyAuth);
  const limits = app.get<CallLimitsLike>(CallLimits);
  const key = createKeyWithCli(DATABASE_URL, 'bench-limits@nomosly.local', ['--name', 'bench-limits', '--replace']);
  const request = () => ({ method: 'POST', url: '/v1/faces/detect', headers: { authorization: `Bearer ${key}` }, raw: {} }) as { limitsTicket?: unknown };
  const reply = { headers: () => reply };
  const redis = new Redis(REDIS_URL);

  try {
    // Each call's slot in flight is given back after it is timed (a response closing does that, off the call's path).
    let admitted = request();
    const admit = await measure(
      () => auth.admit((admitted = request()), reply, 'faces.detect'),
      () => limits.release(admitted.limitsTicket),
    );
    const ping = await measure(() => redis.ping());
    console.log(`machine: ${process.arch}, node ${process.version}, ${ITERATIONS} sequential calls after ${WARMUP} warm-up, key cached`);
    console.log(`key resolution + all limit checks (ApiKeyAuth.admit): p50 ${admit.p50.toFixed(3)} ms, p99 ${admit.p99.toFixed(3)} ms (goal p50 <= 0.5 ms)`);
    console.log(`of which the floor, one events Redis round trip (PING):  p50 ${ping.p50.toFixed(3)} ms, p99 ${ping.p99.toFixed(3)} ms`);
  } finally {
    redis.disconnect();
    await app.close();
    await deleteKeys(REDIS_URL, `${prefix}:*`);
  }
}

const WARMUP = 500;

/** Times `operation` alone; `after` (untimed) runs after each. */
async function measure(operation: () => Promise<unknown>, after: () => Promise<unknown> = async () => undefined): Promise<{ p50: number; p99: number }> {
  for (let i = 0; i < WARMUP; i++) {
    await operation();
    await after();
  }
  const latencies: number[] = [];
  for (let i = 0; i < ITERATIONS; i++) {
    const started = performance.now();
    await operation();
    latencies.push(performance.now() - started);
    await after();
  }
  latencies.sort((a, b) => a - b);
  const at = (quantile: number) => latencies[Math.min(latencies.length - 1, Math.floor(quantile * latencies.length))];
  return { p50: at(0.5), p99: at(0.99) };
}

runBenchWithVisionRedis(main);
