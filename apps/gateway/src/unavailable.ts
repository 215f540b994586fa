import { ErrorCode, PublicError } from '@nomosly/contracts';

/** Every 503 the gateway answers tells the client when to try again. */
export const UNAVAILABLE_RETRY_AFTER = { 'retry-after': '5' } as const;

/** 503 `unavailable`: something on our side (a store, a worker, the engine) cannot serve the call now. */
export function unavailable(message: string): PublicError {
  return new PublicError(ErrorCode.Unavailable, message, UNAVAILABLE_RETRY_AFTER);
}
