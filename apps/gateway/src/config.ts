import { z } from 'zod';
import { baseConfigSchema, env, loadConfig } from '@nomosly/config';
import { plansEnv } from '@nomosly/limits';
import { corsOriginsEnv } from './cors/cors-origins';

export const gatewayConfigSchema = baseConfigSchema.extend({
  PORT: env.port(3000),
  DATABASE_URL: env.url(['postgres', 'postgresql'], 'postgres://postgres@127.0.0.1:5432/nomosly'),
  /** Carries images and results; must run without persistence. */
  VISION_REDIS_URL: env.url(['redis', 'rediss'], 'redis://127.0.0.1:6379'),
  /**
   * Only where the vision Redis refuses CONFIG (some managed Redis): says its save, appendonly and slow-log settings
   * were checked by hand, so that the start-up check of P1 may be skipped (and the log says it was).
   */
  VISION_REDIS_PERSISTENCE_CHECKED: env.boolean(false),
  /** Carries limit counters, key events, and usage and request-log events; should run with AOF. */
  EVENTS_REDIS_URL: env.url(['redis', 'rediss'], 'redis://127.0.0.1:6379'),
  /** Bull Board at /ops/queues is served only when OPS_PASSWORD is set, behind HTTP Basic authentication. */
  OPS_USERNAME: z.string().min(1).default('admin'),
  OPS_PASSWORD: z.string().min(12, 'expected at least 12 characters').optional(),
  /** How long a successful call's usage event is tried again (same job id) before the call answers 503. */
  USAGE_EVENT_RETRY_MS: z.coerce.number().int().min(0).max(30_000).default(3_000),
  /** JSON plan table laid over the defaults (free, pro); see @nomosly/limits. */
  PLANS: plansEnv(),
  /** How long a request waits for its vision result before 504 `timeout`. */
  VISION_DEADLINE_MS: env.positiveInt(30_000),
  /**
   * Admission by queue wait: a call whose job would wait longer than this for a worker (estimated from the queue's
   * depth and the workers' reported slots and job times) gets 503 `unavailable` at once, with Retry-After. The
   * default is a third of the default deadline: at 1 s, three OCR calls sent at once to one worker were refused.
   */
  VISION_MAX_QUEUE_WAIT_MS: z.coerce.number().int().min(1).max(600_000).default(10_000),
  /** Waiting jobs beyond which new requests get 503 `unavailable` instead of queueing, whatever the estimate. */
  VISION_MAX_BACKLOG: env.positiveInt(1_000),
  /**
   * The most of VISION_MAX_BACKLOG one workspace may hold: its calls in flight are capped at this fraction of it
   * (below its plan's maxInFlight when that is larger), so that one workspace cannot fill the backlog alone.
   */
  VISION_WORKSPACE_BACKLOG_SHARE: z.coerce
    .number()
    .gt(0, 'expected a fraction above 0, at most 1')
    .max(1, 'expected a fraction above 0, at most 1')
    .default(0.5),
  /** How long a resolved API key is served from the in-process cache. */
  KEY_CACHE_TTL_MS: env.positiveInt(30_000),
  /** How long a key hash that matched no key is refused without asking Postgres again. */
  UNKNOWN_KEY_CACHE_TTL_MS: z.coerce.number().int().min(100).max(60_000).default(5_000),
  /** At most this many such hashes are remembered (apart from the known keys, which they never push out). */
  UNKNOWN_KEY_CACHE_ENTRIES: env.positiveInt(20_000),
  /** Key lookups that find nothing a client address (IPv4, or IPv6 /64) may make per window, before 429. */
  KEY_LOOKUP_FAILURES_PER_IP: env.positiveInt(30),
  KEY_LOOKUP_FAILURE_WINDOW_SECONDS: z.coerce.number().int().min(1).max(3_600).default(60),
  /** The load balancers whose X-Forwarded-For names the client (its budget, its request log); nobody by default. */
  TRUST_PROXY: env.trustedProxies(),
  /** A request body slower than this over any second after its first is cut with 408 `request_timeout`. */
  UPLOAD_MIN_BYTES_PER_SECOND: z.coerce.number().int().min(1_024).default(64 * 1024),
  /** A request body not whole by then is cut with 408 (below the server's own 60 s request timeout). */
  UPLOAD_TIMEOUT_MS: z.coerce.number().int().min(1_000).max(55_000).default(45_000),
  /**
   * The pages whose browsers may call the public API (the web console's playground): comma-separated origins,
   * empty for none; unset, the local console (http://127.0.0.1:3002, http://localhost:3002) outside production.
   */
  GATEWAY_CORS_ORIGINS: corsOriginsEnv(),
  /** Distinguishes this deployment's queues and keys on a shared Redis (tests use one per run). */
  QUEUE_PREFIX: env.queuePrefix(),
});
export type GatewayConfig = z.infer<typeof gatewayConfigSchema>;

export const GATEWAY_CONFIG = Symbol('GATEWAY_CONFIG');

export function loadGatewayConfig(source: NodeJS.ProcessEnv = process.env): GatewayConfig {
  return loadConfig(gatewayConfigSchema, source);
}
