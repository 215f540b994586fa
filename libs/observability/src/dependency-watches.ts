import { Logger } from '@nestjs/common';
import type { Registry } from 'prom-client';
// ioredis's own close handler, exported by its module but not by its index: see dropConnection().
import { closeHandler } from 'ioredis/built/redis/event_handler';
import {
  DependencyWatch,
  type OutageLog,
  addressOf,
  dependencyOutagesCounter,
  dependencyUpGauge,
  errorCode,
  isConnectionError,
} from './dependency-watch';
import type { ReadinessCheck } from './readiness';

/** What is needed of an ioredis client: its events, its state and a way to drop it without asking the server. */
export interface WatchedRedis {
  readonly status: string;
  readonly options: { host?: string; port?: number; connectionName?: string };
  on(event: 'error', listener: (error: Error) => void): unknown;
  on(event: 'ready', listener: () => void): unknown;
  disconnect(): void;
  ping(): Promise<unknown>;
}

/** A BullMQ Queue, Worker or QueueEvents: it re-emits its connections' errors, and a few of its own. */
export interface ErrorEmitter {
  on(event: 'error', listener: (error: Error) => void): unknown;
}

export interface DependencyWatchesOptions {
  registry: Registry;
  log: OutageLog & { error(fields: Record<string, unknown>): void };
  reminderMs: number;
  /** While the app stops, how long a connected Redis client has to answer a PING before it is dropped (1 s by default). */
  shutdownPingMs?: number;
}

export interface ProbeOptions {
  /** Between two probes while the dependency is up. */
  intervalMs: number;
  /** A probe without an answer by then has failed (a partitioned server answers nothing). */
  timeoutMs: number;
}

/**
 * Every dependency of one app, each watched by a DependencyWatch: its Redis clients (their `error` and `ready`
 * events), its BullMQ objects (their `error` events: connection errors are their clients' to report, the rest
 * logged as one line), and Postgres (a probe, since the ORM's pool reports nothing on its own). One instance per
 * app, shared by every provider that opens a connection; the app's shutdown calls beginShutdown().
 */
export class DependencyWatches {
  private readonly watches = new Map<string, DependencyWatch>();
  private readonly clients = new Set<WatchedRedis>();
  private readonly probes = new Set<NodeJS.Timeout>();
  private readonly releases: (() => void)[] = [];
  private readonly outages;
  private readonly up;
  private readonly lastErrorLine = new Map<string, number>();
  private closing = false;
  private sourceCount = 0;

  constructor(private readonly options: DependencyWatchesOptions) {
    this.outages = dependencyOutagesCounter(options.registry);
    this.up = dependencyUpGauge(options.registry);
  }

  /** The watch of one dependency (created on first use). */
  watch(dependency: string, address: string): DependencyWatch {
    let watch = this.watches.get(dependency);
    if (!watch) {
      watch = new DependencyWatch({
        dependency,
        address,
        log: this.options.log,
        reminderMs: this.options.reminderMs,
        outages: this.outages,
        up: this.up,
      });
      this.watches.set(dependency, watch);
    }
    return watch;
  }

  /**
   * Watches an ioredis client of `dependency`, and every duplicate made of it (BullMQ duplicates a worker's
   * connection for its blocking commands); returns it. While the app stops, an unreachable one is dropped at once.
   */
  redis<R extends WatchedRedis>(dependency: string, client: R): R {
    const source = `${client.options.connectionName || 'redis'}#${++this.sourceCount}`;
    const watch = this.watch(dependency, `${client.options.host ?? 'localhost'}:${client.options.port ?? 6379}`);
    this.clients.add(client);
    client.on('error', (error) => {
      if (this.closing) return dropConnection(client);
      if (isConnectionError(error)) watch.failed(source, error);
      else this.otherError(dependency, source, error);
    });
    client.on('ready', () => watch.recovered(source));
    const duplicable = client as R & { duplicate?: (...args: unknown[]) => WatchedRedis };
    const duplicate = duplicable.duplicate?.bind(client);
    if (duplicate) duplicable.duplicate = (...args: unknown[]) => this.redis(dependency, duplicate(...args));
    return client;
  }

  /** Handles a BullMQ object's `error` events (an unhandled one would crash the app, or print a stack). */
  bullmq<E extends ErrorEmitter>(dependency: string, source: string, emitter: E): E {
    emitter.on('error', (error) => {
      if (!this.closing && !isConnectionError(error)) this.otherError(dependency, source, error);
    });
    return emitter;
  }

  /**
   * Runs `check` every `intervalMs` (timers that do not keep the process alive): a failure or no answer within
   * `timeoutMs` is a failed attempt, a success ends the outage.
   */
  probe(dependency: string, url: string, check: () => Promise<unknown>, { intervalMs, timeoutMs }: ProbeOptions): DependencyWatch {
    const watch = this.watch(dependency, addressOf(url));
    // One probe at a time: one that hangs (a partition) holds one connection, not one per interval.
    let pending: Promise<unknown> | null = null;
    const run = async () => {
      if (this.closing) return;
      if (pending) return watch.failed('probe', timedOut(timeoutMs));
      const attempt = check().finally(() => (pending = null));
      pending = attempt;
      try {
        await withTimeout(attempt, timeoutMs);
        if (!this.closing) watch.recovered('probe');
      } catch (error) {
        if (!this.closing) watch.failed('probe', error);
      }
    };
    const timer = setInterval(() => void run(), intervalMs);
    timer.unref();
    this.probes.add(timer);
    return watch;
  }

  /** A readiness check that fails at once, naming the outage, while `dependency` is down; else runs `check`. */
  readiness(dependency: string, check: () => Promise<void>): ReadinessCheck {
    return {
      name: dependency,
      check: async () => {
        const watch = this.watches.get(dependency);
        if (watch?.down) throw new Error(watch.problem);
        await check();
      },
    };
  }

  /** Runs `release` when the app begins to stop (to drop connections to a dependency that is down). */
  onShutdown(release: () => void): void {
    this.releases.push(release);
  }

  /**
   * The app is stopping: probes end, and every Redis client that is not connected is dropped (`disconnect`, not
   * `quit`: a QUIT to an unreachable server waits for it for ever), as is any that fails from now on. A client that
   * still looks connected may be on the far side of a partition (its commands, and a QUIT, never answered): each is
   * sent a PING until it ends, and dropped when one gets no answer within `shutdownPingMs`.
   */
  beginShutdown(): void {
    this.closing = true;
    for (const timer of this.probes) clearInterval(timer);
    this.probes.clear();
    for (const client of this.clients) {
      if (client.status === 'ready') this.dropWhenSilent(client);
      else if (client.status !== 'end') dropConnection(client);
    }
    for (const release of this.releases) release();
  }

  private dropWhenSilent(client: WatchedRedis): void {
    const waitMs = this.options.shutdownPingMs ?? 1_000;
    const check = () => {
      if (client.status === 'end') return;
      if (client.status !== 'ready') return dropConnection(client);
      let answered = false;
      // A refusal (a subscriber, a closing client) is an answer: the server is there.
      client.ping().then(
        () => (answered = true),
        () => (answered = true),
      );
      setTimeout(() => (answered ? check() : dropConnection(client)), waitMs).unref();
    };
    check();
  }

  /**
   * An error of a connection of `dependency` that the app holds outside the watched clients (the console's export
   * pool): a lost connection is the outage the dependency's own watch reports, so it adds nothing; any other is one
   * `dependency_error` line per source and code per reminder period.
   */
  connectionError(dependency: string, source: string, error: unknown): void {
    if (!this.closing && !isConnectionError(error)) this.otherError(dependency, source, error);
  }

  /** An error that is not a lost connection: one line per dependency, source and code per reminder period. */
  private otherError(dependency: string, source: string, error: unknown): void {
    const code = errorCode(error);
    const key = `${dependency}|${source}|${code}`;
    const now = Date.now();
    const last = this.lastErrorLine.get(key);
    if (last !== undefined && now - last < this.options.reminderMs) return;
    this.lastErrorLine.set(key, now);
    // P2: never the message itself (a script error can quote its arguments), only Redis's error prefix.
    const prefix = error instanceof Error ? /^[A-Z][A-Z_]+(?= )/.exec(error.message)?.[0] : undefined;
    const what = prefix && prefix !== code ? `${code} ${prefix}` : code;
    this.options.log.error({ event: 'dependency_error', dependency, source, code, msg: `${dependency} (${source}) failed: ${what}` });
  }
}

/**
 * Ends a client without a word to its server. ioredis's disconnect() while it waits to reconnect only clears the
 * timer: the client never closes, its queued commands never fail, and BullMQ, closing a worker, waits for its
 * 'end' for ever. So it is closed here as ioredis closes a client that never connected (its own close handler:
 * queued commands rejected with "Connection is closed", then 'end').
 */
export function dropConnection(client: WatchedRedis): void {
  const waiting = client.status === 'reconnecting';
  client.disconnect();
  if (waiting) closeHandler(client)();
}

function timedOut(ms: number): Error & { code: string } {
  return Object.assign(new Error(`no answer within ${ms} ms`), { code: 'ETIMEDOUT' });
}

async function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(timedOut(ms)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** An app's DependencyWatches, logging through Nest's Logger (the app's pino logger once it is set). */
export function createDependencyWatches(registry: Registry, { reminderMs }: { reminderMs: number }): DependencyWatches {
  const logger = new Logger('Dependencies');
  return new DependencyWatches({
    registry,
    reminderMs,
    log: { warn: (fields) => logger.warn(fields), log: (fields) => logger.log(fields), error: (fields) => logger.error(fields) },
  });
}

/** What the Postgres probe needs of MikroORM's EntityManager (and, to drop connections, of its knex pool). */
export interface SqlRunner {
  getConnection(): { execute(sql: string): Promise<unknown>; getKnex?(): unknown };
}

/** A pg client in knex's (tarn) pool: its socket. */
interface PooledPgClient {
  connection?: { stream?: { destroy(): void } };
}
interface KnexPool {
  used?: { resource: PooledPgClient }[];
  free?: { resource: PooledPgClient }[];
}

export const POSTGRES_PROBE = Symbol('POSTGRES_PROBE');

/**
 * A provider that probes Postgres through the app's ORM (`select 1` every `intervalMs`, two seconds to answer),
 * so that an outage is logged and counted even while no request needs the database. Closing the ORM waits for
 * every connection in use, and one waiting on a partitioned server never comes back; so when the app stops, the
 * pool's connections are cut at once if Postgres is known to be down, and otherwise `closeGraceMs` after the
 * app's workers and handlers have stopped (a partition that began just before the signal, unseen by the probe).
 */
/**
 * How long after the app begins to stop a Postgres connection still in use is taken to wait on an unreachable
 * server and is cut: the ORM's pool here, the console's export pool. Well inside the 10 s shutdown deadline.
 */
export const POSTGRES_CLOSE_GRACE_MS = 2_000;

export function postgresProbeProvider(options: { url: string; intervalMs: number; entityManager: unknown; closeGraceMs?: number }) {
  return {
    provide: POSTGRES_PROBE,
    inject: [DependencyWatches, options.entityManager as symbol],
    useFactory: (watches: DependencyWatches, em: SqlRunner) => {
      const watch = watches.probe('postgres', options.url, () => em.getConnection().execute('select 1'), {
        intervalMs: options.intervalMs,
        timeoutMs: Math.min(2_000, options.intervalMs),
      });
      watches.onShutdown(() => {
        if (watch.down) cutPoolConnections(em);
      });
      return new PostgresProbe(watch, () => cutPoolConnections(em), options.closeGraceMs ?? POSTGRES_CLOSE_GRACE_MS);
    },
  };
}

/** The Postgres probe's provider: its watch, and the bound on the ORM's close. */
export class PostgresProbe {
  constructor(
    readonly watch: DependencyWatch,
    private readonly cut: () => void,
    private readonly closeGraceMs: number,
  ) {}

  /**
   * Nest calls this before the ORM closes, in the same phase as the app's other beforeApplicationShutdown hooks (not
   * after them): a connection still in use `closeGraceMs` later is taken to wait on an unreachable server, and cut,
   * so that the close ends. An app whose own stop in that phase may use Postgres later than the default grace (the
   * billing ledger, after POLAR_TIMEOUT_MS) passes a longer `closeGraceMs`.
   */
  beforeApplicationShutdown(): void {
    setTimeout(this.cut, this.closeGraceMs).unref();
  }
}

function cutPoolConnections(em: SqlRunner): void {
  const knex = em.getConnection().getKnex?.() as { client?: { pool?: KnexPool } } | undefined;
  const pool = knex?.client?.pool;
  for (const entry of [...(pool?.used ?? []), ...(pool?.free ?? [])]) entry.resource.connection?.stream?.destroy();
}

/**
 * MikroORM's `driverOptions` for every app: a connection attempt that gets no answer fails after `connectTimeoutMs`
 * (a partitioned server would hold it for ever, and the ORM's close with it), and knex's own warnings ("Connection
 * Error: ..." on a connection lost in an outage the probe reports) go to the app's logger at debug level instead
 * of console.log.
 */
export function postgresDriverOptions({ connectTimeoutMs = 5_000 }: { connectTimeoutMs?: number } = {}) {
  const logger = new Logger('Postgres');
  return {
    connection: { connectionTimeoutMillis: connectTimeoutMs },
    log: {
      warn: (message: unknown) => logger.debug(String(message)),
      deprecate: (message: unknown) => logger.debug(String(message)),
      debug: (message: unknown) => logger.debug(String(message)),
      error: (message: unknown) => logger.error(String(message)),
    },
  };
}
