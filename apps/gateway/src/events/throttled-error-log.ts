import type { Logger } from '@nestjs/common';

/**
 * Logs a repeating failure at most once per interval: Redis down would otherwise log per request (or, for a
 * reconnecting client, many times a second). By error type, unless `withMessage`: a connection error's message
 * names only the server, while a command's could quote what was being written.
 */
export class ThrottledErrorLog {
  private last = 0;

  constructor(
    private readonly logger: Pick<Logger, 'error'>,
    private readonly what: string,
    private readonly options: { withMessage?: boolean; intervalMs?: number } = {},
  ) {}

  report(error: unknown): void {
    const now = Date.now();
    if (now - this.last < (this.options.intervalMs ?? 10_000)) return;
    this.last = now;
    const detail = this.options.withMessage ? (error as Error)?.message : (error as Error)?.name;
    this.logger.error(`${this.what} failed: ${detail ?? 'unknown error'}`);
  }
}
