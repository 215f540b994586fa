import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import { ErrorCode, PublicError } from '@nomosly/contracts';
import { DependencyWatches, POSTGRES_CLOSE_GRACE_MS, addressOf } from '@nomosly/observability';
import { Pool, type PoolClient } from 'pg';
import { CONSOLE_CONFIG, type ConsoleConfig } from '../config';

/** Exports running at once, each on a connection of its own (the API's own pool is never held by one). */
export const EXPORT_CONNECTIONS = 4;
/** How pg_stat_activity names an export's connection. */
export const EXPORT_APPLICATION_NAME = 'nomosly-console-export';
/** A client that reads nothing for this long loses its export (and the connection its snapshot). */
const EXPORT_STALL_MS = 10 * 60_000;
const WAIT_FOR_CONNECTION_MS = 5_000;

/** A pg client in the pool: its socket. */
interface PooledClient {
  connection?: { stream?: { destroy(): void } };
}

/** The connections exports stream their rows through: UTC session, read-only, cut off when a reader stalls. */
@Injectable()
export class ExportPool implements OnModuleDestroy {
  private readonly pool: Pool;

  constructor(
    @Inject(CONSOLE_CONFIG) config: ConsoleConfig,
    watches: DependencyWatches,
  ) {
    this.pool = new Pool({
      connectionString: config.DATABASE_URL,
      max: EXPORT_CONNECTIONS,
      idleTimeoutMillis: 10_000,
      connectionTimeoutMillis: WAIT_FOR_CONNECTION_MS,
      application_name: EXPORT_APPLICATION_NAME,
      options: `-c TimeZone=UTC -c default_transaction_read_only=on -c idle_in_transaction_session_timeout=${EXPORT_STALL_MS}`,
    });
    // An idle connection that fails (a server restart) is dropped by the pool; without a listener it would crash us.
    // It is the same server as the ORM's: its outage is the one the postgres watch logs, nothing more is said here.
    this.pool.on('error', (error) => watches.connectionError('postgres', 'export pool', error));
    const postgres = watches.watch('postgres', addressOf(config.DATABASE_URL));
    // Postgres known to be down as the app stops: the exports' connections wait on nothing, cut them at once.
    watches.onShutdown(() => {
      if (postgres.down) this.cut();
    });
  }

  /** A connection of its own for one export; 503 while every one is busy. */
  async connect(): Promise<PoolClient> {
    try {
      return await this.pool.connect();
    } catch (error) {
      if (error instanceof Error && /timeout exceeded when trying to connect/i.test(error.message)) {
        throw new PublicError(ErrorCode.Unavailable, 'Too many exports are running: try again in a minute.', { 'retry-after': '60' });
      }
      throw error;
    }
  }

  /** Ends the pool; an export still running `POSTGRES_CLOSE_GRACE_MS` later (a stalled reader, a partitioned server) is cut. */
  async onModuleDestroy(): Promise<void> {
    const timer = setTimeout(() => this.cut(), POSTGRES_CLOSE_GRACE_MS);
    timer.unref();
    try {
      await this.pool.end();
    } finally {
      clearTimeout(timer);
    }
  }

  /** Every connection's socket destroyed: its query fails, the pool drops it (pg's own list of clients). */
  private cut(): void {
    for (const client of (this.pool as unknown as { _clients?: PooledClient[] })._clients ?? []) client.connection?.stream?.destroy();
  }
}
