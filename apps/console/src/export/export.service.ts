import type { Readable } from 'node:stream';
import { Injectable, Logger } from '@nestjs/common';
import type { PoolClient } from 'pg';
import QueryStream from 'pg-query-stream';
import { ZipFile } from 'yazl';
import { ConsoleMetrics } from '../metrics';
import { EXPORT_FILES, type ExportFile } from './export-files';
import { ExportPool } from './export-pool';
import { exportReadme } from './export-readme';
import { jsonRows } from './json-rows';

/** Rows fetched from the cursor at a time: the most of a file the console holds, with the zip's and socket's buffers. */
const CURSOR_BATCH_ROWS = 2_000;

/**
 * A user's export (P8) as a zip stream: README.txt, then one file per table, each read through a cursor on one
 * connection inside one read-only snapshot. Nothing is gathered whole: each file is fetched as the zip, and the
 * client behind it, take its bytes, so a client that reads slowly slows the cursor, not the console's memory.
 */
@Injectable()
export class ExportService {
  private readonly logger = new Logger(ExportService.name);

  constructor(
    private readonly pool: ExportPool,
    private readonly metrics: ConsoleMetrics,
  ) {}

  /** The zip, ready to stream; the snapshot is taken before it returns, so a failure here is a plain error. */
  async open(userId: string, now = new Date()): Promise<Readable> {
    const client = await this.pool.connect();
    const session = new ExportSession(client, userId, this.logger, this.metrics);
    try {
      await client.query('begin isolation level repeatable read read only');
    } catch (error) {
      session.abandon(error);
      throw error;
    }
    return session.zip(now);
  }
}

/** One export's connection, from its snapshot to its commit, or to the first failure or the client leaving. */
class ExportSession {
  private finished = false;
  /** Until the last file's last row is read: closing the output before then abandons the export. */
  private readingRows = true;
  private current: QueryStream | null = null;
  private output: Readable | null = null;
  private readonly onClientError = (error: Error) => this.abandon(error);

  constructor(
    private readonly client: PoolClient,
    private readonly userId: string,
    private readonly logger: Logger,
    private readonly metrics: ConsoleMetrics,
  ) {
    // A connection that dies while checked out reports here, not to the pool.
    client.on('error', this.onClientError);
  }

  zip(now: Date): Readable {
    const zip = new ZipFile();
    const options = { mtime: now };
    zip.addBuffer(Buffer.from(exportReadme(EXPORT_FILES, now)), 'README.txt', options);
    EXPORT_FILES.forEach((file, index) => {
      const last = index === EXPORT_FILES.length - 1;
      zip.addReadStreamLazy(file.name, options, (ready) => ready(null, this.rowsOf(file, last)));
    });
    zip.end();
    const output = zip.outputStream as Readable;
    this.output = output;
    // Closed before the last row was read: the client left (Fastify destroys the stream), or a failure ended it.
    output.on('close', () => {
      if (this.readingRows) this.abandon(null);
    });
    output.on('error', () => this.abandon(null));
    return output;
  }

  private rowsOf(file: ExportFile, last: boolean): Readable {
    const rows = new QueryStream(file.sql, [this.userId], { batchSize: CURSOR_BATCH_ROWS, highWaterMark: CURSOR_BATCH_ROWS, rowMode: 'array' });
    this.current = rows;
    const encoded = jsonRows(file.format, (taken) => this.metrics.exportRows.inc(taken));
    rows.on('error', (error) => this.abandon(error));
    encoded.on('error', (error) => this.abandon(error));
    if (last) {
      rows.on('end', () => {
        this.readingRows = false;
        void this.commit();
      });
    }
    this.client.query(rows).pipe(encoded);
    return encoded;
  }

  private async commit(): Promise<void> {
    this.current = null;
    try {
      await this.client.query('commit');
    } catch (error) {
      this.abandon(error);
      return;
    }
    if (this.finished) return;
    this.finished = true;
    this.client.removeListener('error', this.onClientError);
    this.client.release();
    this.metrics.exports.inc({ outcome: 'complete' });
  }

  /**
   * Ends the export early: the connection is closed, not returned (a cursor may be open on it), and a response
   * already under way is cut off, so the client sees a broken download rather than a short zip. `error` is null
   * when the client left.
   */
  abandon(error: unknown): void {
    if (this.finished) return;
    this.finished = true;
    if (error !== null) this.logger.error(`export failed: ${describe(error)}`);
    this.metrics.exports.inc({ outcome: error === null ? 'abandoned' : 'failed' });
    this.current?.destroy();
    this.current = null;
    this.client.release(error instanceof Error ? error : new Error('export abandoned'));
    if (this.output && !this.output.destroyed) this.output.destroy(error instanceof Error ? error : undefined);
  }
}

/** Type and code only: a driver's message can quote the query's parameters. */
function describe(error: unknown): string {
  if (!(error instanceof Error)) return typeof error;
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' ? `${error.name} ${code}` : error.name;
}
