import { isIP } from 'node:net';
import { z } from 'zod';

export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/**
 * Validates environment variables against an app's schema and fails fast with one line per bad variable,
 * naming it and what it expects. Values of secret variables are never echoed.
 */
export function loadConfig<S extends z.ZodObject>(schema: S, env: NodeJS.ProcessEnv = process.env): z.infer<S> {
  const parsed = schema.safeParse(env);
  if (parsed.success) return parsed.data;
  throw new ConfigError(problemsOf(parsed.error));
}

/** What loadConfig would refuse in `env`, one `VARIABLE: what it expects` line per problem; none when it is valid. */
export function configProblems(schema: z.ZodObject, env: NodeJS.ProcessEnv | Record<string, string>): string[] {
  const parsed = schema.safeParse(env);
  return parsed.success ? [] : problemsOf(parsed.error);
}

function problemsOf(error: z.ZodError): string[] {
  return error.issues.map((issue) => `${issue.path.join('.') || '(environment)'}: ${issue.message}`);
}

/** Reusable variable types with messages that say what is expected. */
export const env = {
  port: (fallback: number) => z.coerce.number().int().min(0).max(65535).default(fallback),
  positiveInt: (fallback: number) => z.coerce.number().int().positive().default(fallback),
  url: (protocols: readonly string[], fallback: string) =>
    z
      .string()
      .default(fallback)
      .refine((value) => {
        try {
          return protocols.includes(new URL(value).protocol.replace(/:$/, ''));
        } catch {
          return false;
        }
      }, `expected a ${protocols.join(' or ')} URL`),
  logLevel: () => z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  boolean: (fallback: boolean) =>
    z
      .enum(['true', 'false', '1', '0'], { message: 'expected true or false' })
      .default(fallback ? 'true' : 'false')
      .transform((value) => value === 'true' || value === '1'),
  host: (fallback: string) => z.string().min(1).default(fallback),
  /** How long a process may take to stop after SIGTERM or SIGINT before it exits anyway, with code 1. */
  shutdownTimeoutMs: () => z.coerce.number().int().min(100).max(600_000).default(10_000),
  /**
   * Distinguishes a deployment's queues and Redis keys on a shared Redis (BullMQ's `prefix`; tests use one per run).
   * In braces (`{nomosly}`) it is a Redis Cluster hash tag: each queue's keys then share one slot, as BullMQ needs.
   */
  queuePrefix: () =>
    z
      .string()
      .regex(/^(?:[A-Za-z0-9:_-]+|\{[A-Za-z0-9:_-]+\})$/, 'expected letters, digits, ":", "_" or "-", or those in braces (a Redis Cluster hash tag)')
      .default('bull'),
  /**
   * Which peers' `X-Forwarded-For` is believed (Fastify's `trustProxy`): empty, nobody (the socket's peer is the
   * client); a whole number, that many proxy hops; or a comma-separated list of addresses and CIDR ranges. Never
   * "every peer": a client could then name any address it likes.
   */
  trustedProxies: () =>
    z
      .string()
      .default('')
      .transform((value, context): false | number | string[] => {
        const text = value.trim();
        if (text === '') return false;
        if (/^\d+$/.test(text)) {
          const hops = Number(text);
          if (hops >= 1 && hops <= 10) return hops;
        } else {
          const entries = text.split(',').map((entry) => entry.trim());
          if (entries.every(isAddressOrRange)) return entries;
        }
        context.addIssue({ code: 'custom', message: 'expected empty, a number of proxy hops (1 to 10), or a comma-separated list of proxy addresses or CIDR ranges' });
        return z.NEVER;
      }),
};

function isAddressOrRange(entry: string): boolean {
  const [address, bits, ...rest] = entry.split('/');
  const version = isIP(address);
  if (version === 0 || rest.length > 0) return false;
  if (bits === undefined) return true;
  return /^\d+$/.test(bits) && Number(bits) <= (version === 4 ? 32 : 128);
}

/**
 * Whether a host name or address is this machine only: `localhost`, 127.0.0.0/8 or ::1 (brackets allowed,
 * as in a URL's host). Anything else, 0.0.0.0 and :: included, is reachable from the network.
 */
export function isLoopbackHost(host: string): boolean {
  const name = host.trim().toLowerCase().replace(/^\[(.*)\]$/, '$1');
  if (name === 'localhost' || name === '::1') return true;
  return isIP(name) === 4 && name.startsWith('127.');
}

/** The variables every app shares. */
export const baseConfigSchema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  LOG_LEVEL: env.logLevel(),
  LOG_PRETTY: env.boolean(false),
  HOST: env.host('127.0.0.1'),
  SHUTDOWN_TIMEOUT_MS: env.shutdownTimeoutMs(),
  /** While a dependency is down, how often its outage is logged again (with the failed attempts since). */
  OUTAGE_REMINDER_MS: z.coerce.number().int().min(100).default(60_000),
  /** How often a dependency that reports nothing on its own (Postgres, behind the ORM's pool) is probed. */
  DEPENDENCY_PROBE_MS: z.coerce.number().int().min(100).default(5_000),
});

/**
 * For an app that runs BullMQ workers: how long a job's lock lasts unless its worker renews it (every half of it),
 * and how often a worker looks for jobs whose lock has lapsed (stalled: their process died or was stopped at its
 * shutdown deadline with them in hand). BullMQ's own defaults, 30 s each; tests shorten them.
 */
export const queueWorkerEnv = {
  QUEUE_LOCK_MS: z.coerce.number().int().min(1_000).max(600_000).default(30_000),
  QUEUE_STALLED_CHECK_MS: z.coerce.number().int().min(100).max(600_000).default(30_000),
};
