/** The public error codes of API.md. One filter per app maps each to its HTTP status. */
export const ErrorCode = Object.freeze({
  InvalidRequest: 'invalid_request',
  InvalidImage: 'invalid_image',
  Unauthenticated: 'unauthenticated',
  SpendCapReached: 'spend_cap_reached',
  InsufficientScope: 'insufficient_scope',
  /** The workspace's owner has restricted processing of their data (data rights). */
  Restricted: 'restricted',
  /** A Polar webhook whose Standard Webhooks signature or timestamp does not hold. */
  InvalidSignature: 'invalid_signature',
  NotFound: 'not_found',
  Conflict: 'conflict',
  RequestTimeout: 'request_timeout',
  ImageTooLarge: 'image_too_large',
  UnsupportedMediaType: 'unsupported_media_type',
  RateLimited: 'rate_limited',
  Unavailable: 'unavailable',
  Timeout: 'timeout',
  Internal: 'internal',
} as const);
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

export function httpStatusOf(code: ErrorCode): number {
  switch (code) {
    case ErrorCode.InvalidRequest:
    case ErrorCode.InvalidImage:
      return 400;
    case ErrorCode.Unauthenticated:
      return 401;
    case ErrorCode.SpendCapReached:
      return 402;
    case ErrorCode.InsufficientScope:
    case ErrorCode.Restricted:
    case ErrorCode.InvalidSignature:
      return 403;
    case ErrorCode.NotFound:
      return 404;
    case ErrorCode.Conflict:
      return 409;
    case ErrorCode.RequestTimeout:
      return 408;
    case ErrorCode.ImageTooLarge:
      return 413;
    case ErrorCode.UnsupportedMediaType:
      return 415;
    case ErrorCode.RateLimited:
      return 429;
    case ErrorCode.Unavailable:
      return 503;
    case ErrorCode.Timeout:
      return 504;
    case ErrorCode.Internal:
      return 500;
    default:
      return unreachable(code);
  }
}

function unreachable(value: never): never {
  throw new Error(`unmapped error code ${String(value)}`);
}

/** An error that carries a public code; every app's exception filter renders it as API.md's body. */
export class PublicError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
    this.name = 'PublicError';
  }
}
