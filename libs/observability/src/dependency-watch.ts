import { Counter, Gauge, type Registry } from 'prom-client';

/** Where outage lines go: the app's pino logger (through Nest's Logger), one structured object per line. */
export interface OutageLog {
  warn(fields: Record<string, unknown>): void;
  log(fields: Record<string, unknown>): void;
}

export interface DependencyWatchOptions {
  /** What the dependency is to the app: `events-redis`, `vision-redis`, `postgres`. */
  dependency: string;
  /** Where it is (host:port, never a password). */
  address: string;
  log: OutageLog;
  /** At most one reminder line per this many ms while the outage lasts. */
  reminderMs: number;
  outages?: Counter<'dependency'>;
  up?: Gauge<'dependency'>;
  now?: () => number;
}

interface Outage {
  startedAt: number;
  code: string;
  /** Failed attempts since the outage began. */
  attempts: number;
  lastLineAt: number;
}

/**
 * The state of one dependency as seen by the app's clients of it (several connections may share one): down from
 * the first failure of any of them until every one that failed has reconnected. It logs one line when an outage
 * starts (dependency, address, error code), at most one reminder per `reminderMs` while it lasts (the failed
 * attempts so far), and one line when it ends (its duration); errors are never logged as objects or stacks.
 */
export class DependencyWatch {
  private readonly failing = new Set<string>();
  private outage: Outage | null = null;
  private readonly now: () => number;

  constructor(private readonly options: DependencyWatchOptions) {
    this.now = options.now ?? Date.now;
    options.up?.set({ dependency: options.dependency }, 1);
  }

  get dependency(): string {
    return this.options.dependency;
  }

  get address(): string {
    return this.options.address;
  }

  get down(): boolean {
    return this.outage !== null;
  }

  /** Why it is down, for /readyz; empty while it is up. */
  get problem(): string {
    if (!this.outage) return '';
    const seconds = Math.round((this.now() - this.outage.startedAt) / 1000);
    return `${this.options.dependency} unreachable at ${this.options.address} (${this.outage.code}) for ${seconds} s`;
  }

  /** One failed attempt by the client `source` (a connection error, a failed probe). */
  failed(source: string, error: unknown): void {
    this.failing.add(source);
    const now = this.now();
    const code = errorCode(error);
    const { dependency, address } = this.options;
    if (!this.outage) {
      this.outage = { startedAt: now, code, attempts: 1, lastLineAt: now };
      this.options.outages?.inc({ dependency });
      this.options.up?.set({ dependency }, 0);
      this.options.log.warn({ event: 'dependency_down', dependency, address, code, msg: `${dependency} unreachable at ${address}: ${code}` });
      return;
    }
    this.outage.attempts++;
    this.outage.code = code;
    if (now - this.outage.lastLineAt >= this.options.reminderMs) {
      this.outage.lastLineAt = now;
      const downForMs = now - this.outage.startedAt;
      this.options.log.warn({
        event: 'dependency_still_down',
        dependency,
        address,
        code,
        failedAttempts: this.outage.attempts,
        downForMs,
        msg: `${dependency} still unreachable at ${address} after ${Math.round(downForMs / 1000)} s: ${this.outage.attempts} failed attempts`,
      });
    }
  }

  /** The client `source` works again; the outage ends when every client that failed does. */
  recovered(source: string): void {
    this.failing.delete(source);
    if (!this.outage || this.failing.size > 0) return;
    const { dependency, address } = this.options;
    const downForMs = this.now() - this.outage.startedAt;
    const failedAttempts = this.outage.attempts;
    this.outage = null;
    this.options.up?.set({ dependency }, 1);
    this.options.log.log({
      event: 'dependency_up',
      dependency,
      address,
      downForMs,
      failedAttempts,
      msg: `${dependency} reachable again at ${address} after ${Math.round(downForMs / 100) / 10} s down`,
    });
  }
}

/** The error's code (ECONNREFUSED, ETIMEDOUT...) when it has one, else its class name: never its message or stack. */
export function errorCode(error: unknown): string {
  if (error && typeof error === 'object') {
    const { code, name } = error as { code?: unknown; name?: unknown };
    if (typeof code === 'string' && code !== '') return code;
    if (error instanceof AggregateError && error.errors.length > 0) return errorCode(error.errors[0]);
    if (typeof name === 'string' && name !== '' && name !== 'Error') return name;
    const message = (error as { message?: unknown }).message;
    if (typeof message === 'string' && CONNECTION_MESSAGES.test(message)) return 'ECONNCLOSED';
  }
  return 'ERROR';
}

const CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  'ECONNABORTED',
  'ECONNCLOSED',
]);
const CONNECTION_MESSAGES = /Connection is closed|Stream isn't writeable|connect ETIMEDOUT|Command timed out|Reached the max retries per request limit|Connection terminated/i;

/** Whether an error only says that a connection failed or was lost (already reported by its client's watch). */
export function isConnectionError(error: unknown): boolean {
  if (!error || typeof error !== 'object') return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && CONNECTION_CODES.has(code)) return true;
  if (error instanceof AggregateError) return error.errors.some(isConnectionError);
  const message = (error as { message?: unknown }).message;
  return typeof message === 'string' && CONNECTION_MESSAGES.test(message);
}

/** `host:port` of a connection URL, without user or password. */
export function addressOf(url: string): string {
  try {
    const parsed = new URL(url);
    const port = parsed.port || ({ 'redis:': '6379', 'rediss:': '6379', 'postgres:': '5432', 'postgresql:': '5432' } as Record<string, string>)[parsed.protocol] || '';
    return port ? `${parsed.hostname}:${port}` : parsed.hostname;
  } catch {
    return 'unknown';
  }
}

export function dependencyOutagesCounter(registry: Registry): Counter<'dependency'> {
  return new Counter({
    name: 'dependency_outages_total',
    help: 'Outages of a dependency (Redis, Postgres) seen by this process, counted when each begins.',
    labelNames: ['dependency'],
    registers: [registry],
  });
}

export function dependencyUpGauge(registry: Registry): Gauge<'dependency'> {
  return new Gauge({
    name: 'dependency_up',
    help: '1 while the dependency answers this process, 0 during an outage.',
    labelNames: ['dependency'],
    registers: [registry],
  });
}
