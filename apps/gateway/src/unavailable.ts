import { ErrorCode, PublicError } from '@nomosly/contracts';

/** Every 503 the gateway answers tells the client when to try again. */
export const UNAVAILABLE_RETRY_AFTER = { 'retry-after': '5' } as const;

/** 503 `unavailable`: something on our side (a store, a worker, the engine) cannot serve the call now. */
export function unavailable(message: string): PublicError {
  return new PublicError(ErrorCode.Unavailable, message, UNAVAILABLE_RETRY_AFTER);
}

/**
 * 503 `unavailable` for a call refused because the workers are saturated: the client may come back once the queue
 * has drained, about `estimatedWaitMs` from now (at least a second).
 */
export function overloaded(estimatedWaitMs: number): PublicError {
  const seconds = Math.min(60, Math.max(1, Math.ceil(estimatedWaitMs / 1000)));
  return new PublicError(ErrorCode.Unavailable, 'The service is at capacity; try again shortly.', { 'retry-after': String(seconds) });
}

/** 503 `unavailable` for a call that reaches a gateway that is shutting down: another gateway will serve it. */
export function shuttingDown(): PublicError {
  return new PublicError(ErrorCode.Unavailable, 'This gateway is restarting; try again.', { 'retry-after': '1' });
}
