/** What a failed Polar call means for the caller. */
export type PolarFailure =
  /** Polar is down, slow or limiting us: try again later (after `retryAfterMs` when Polar said). */
  | { kind: 'retry'; status: number | null; retryAfterMs: number | null; message: string }
  /** Polar refused this request as it is (a 4xx other than 408 and 429): sending it again as it is cannot help. */
  | { kind: 'refused'; status: number; message: string };

/**
 * The SDK's `PolarError` (every error answer from Polar) as far as we read it. Recognised by shape: the SDK's
 * error classes live behind subpath exports that this project's module resolution does not see.
 */
interface PolarErrorAnswer {
  statusCode: number;
  body: string;
  headers: Headers;
}

/** Polar's answer when `error` is the SDK's error for an HTTP error status; undefined for anything else. */
export function polarErrorAnswer(error: unknown): PolarErrorAnswer | undefined {
  if (!(error instanceof Error)) return undefined;
  const candidate = error as Error & Partial<PolarErrorAnswer>;
  return typeof candidate.statusCode === 'number' && typeof candidate.body === 'string' && candidate.headers instanceof Headers
    ? (candidate as PolarErrorAnswer)
    : undefined;
}

/** The SDK's errors for a call that never got an answer (HTTPClientError and its subclasses). */
const NO_ANSWER = new Set(['ConnectionError', 'RequestTimeoutError', 'RequestAbortedError', 'UnexpectedClientError', 'InvalidRequestError', 'HTTPClientError']);

/** Sorts an error thrown by an SDK call into retry (5xx, 408, 429, timeout, no connection) or refused (other 4xx). */
export function classifyPolarError(error: unknown): PolarFailure {
  const answer = polarErrorAnswer(error);
  if (answer) {
    const status = answer.statusCode;
    const message = `Polar answered ${status}: ${answer.body.slice(0, 300)}`;
    if (status === 429 || status === 408 || status >= 500) {
      return { kind: 'retry', status, retryAfterMs: retryAfterMs(answer.headers.get('retry-after')), message };
    }
    return { kind: 'refused', status, message };
  }
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof Error && NO_ANSWER.has(error.name)) return { kind: 'retry', status: null, retryAfterMs: null, message: `Polar unreachable: ${message}` };
  // An answer the SDK could not validate, or a bug of ours: retrying later is the safe choice, and it is logged.
  return { kind: 'retry', status: null, retryAfterMs: null, message: `Polar call failed: ${message}` };
}

function retryAfterMs(header: string | null): number | null {
  if (!header) return null;
  const seconds = Number(header);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(header);
  return Number.isNaN(date) ? null : Math.max(0, date - Date.now());
}

/** True when Polar answered `status` (404: the customer, subscription or order is not there; 422: refused as invalid). */
export function isPolarStatus(error: unknown, status: number): boolean {
  return polarErrorAnswer(error)?.statusCode === status;
}
