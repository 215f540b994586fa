import type { Logger } from '@nestjs/common';

/** Logs a repeating failure by its error type, at most once per interval: Redis down would otherwise log per request. */
export class ThrottledErrorLog {
  private last = 0;

  constructor(
    private readonly logger: Pick<Logger, 'error'>,
    private readonly what: string,
    private readonly intervalMs = 10_000,
  ) {}

  report(error: unknown): void {
    const now = Date.now();
    if (now - this.last < this.intervalMs) return;
    this.last = now;
    // By type only: a message could quote what was being written.
    this.logger.error(`${this.what} failed: ${(error as Error)?.name ?? 'unknown error'}`);
  }
}
