/** The first retry of a row waits about this long; each further attempt doubles it, up to the configured cap. */
export const RETRY_BASE_MS = 500;

/**
 * Capped exponential backoff with equal jitter for the `attempts`-th failed attempt (1 for the first): half of
 * base * 2^(attempts - 1) fixed and half random, so that senders that failed together do not return together.
 * The same rule as the ledger's per-row SQL (LedgerStore.scheduleRetry).
 */
export function backoffMs(attempts: number, maxMs: number, random: () => number = Math.random): number {
  const ceiling = Math.min(maxMs, RETRY_BASE_MS * 2 ** Math.min(Math.max(attempts - 1, 0), 30));
  return ceiling * (0.5 + random() / 2);
}
