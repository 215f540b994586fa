import { Inject, Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { ErrorCode, PublicError } from '@nomosly/contracts';
import { Pool, type PoolClient } from 'pg';
import { CONSOLE_CONFIG, type ConsoleConfig } from '../config';

/** Exports running at once, each on a connection of its own (the API's own pool is never held by one). */
export const EXPORT_CONNECTIONS = 4;
/** How pg_stat_activity names an export's connection. */
export const EXPORT_APPLICATION_NAME = 'nomosly-console-export';
/** A client that reads nothing for this long loses its export (and the connection its snapshot). */
const EXPORT_STALL_MS = 10 * 60_000;
const WAIT_FOR_CONNECTION_MS = 5_000;

/** The connections exports stream their rows through: UTC session, read-only, cut off when a reader stalls. */
@Injectable()
export class ExportPool implements OnModuleDestroy {
  private readonly logger = new Logger(ExportPool.name);
  private readonly pool: Pool;

  constructor(@Inject(CONSOLE_CONFIG) config: ConsoleConfig) {
    this.pool = new Pool({
      connectionString: config.DATABASE_URL,
      max: EXPORT_CONNECTIONS,
      idleTimeoutMillis: 10_000,
      connectionTimeoutMillis: WAIT_FOR_CONNECTION_MS,
      application_name: EXPORT_APPLICATION_NAME,
      options: `-c TimeZone=UTC -c default_transaction_read_only=on -c idle_in_transaction_session_timeout=${EXPORT_STALL_MS}`,
    });
    // An idle connection that fails (a server restart) is dropped by the pool; without a listener it would crash us.
    this.pool.on('error', (error: Error & { code?: string }) => this.logger.warn(`idle export connection failed: ${error.name} ${error.code ?? ''}`));
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

  async onModuleDestroy(): Promise<void> {
    await this.pool.end();
  }
}
