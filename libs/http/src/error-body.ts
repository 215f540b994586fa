import type { z } from 'zod';
import { ErrorCode, PublicError, httpStatusOf } from '@nomosly/contracts';
import type { errorBodySchema } from './openapi/error-body.schema';

export type ErrorBody = z.infer<typeof errorBodySchema>;

export interface RenderedError {
  status: number;
  body: ErrorBody;
  headers: Record<string, string>;
  /** True when the fault is ours (a 5xx we did not foresee): the caller logs it. */
  unexpected: boolean;
}

/** Fastify's own errors (body parsing, content types, limits) by their code. */
const FASTIFY_ERRORS: Record<string, [ErrorCode, string]> = {
  FST_ERR_CTP_INVALID_MEDIA_TYPE: [ErrorCode.UnsupportedMediaType, 'This content type is not supported.'],
  FST_ERR_CTP_BODY_TOO_LARGE: [ErrorCode.ImageTooLarge, 'The request body is larger than the limit.'],
  FST_ERR_CTP_EMPTY_JSON_BODY: [ErrorCode.InvalidRequest, 'The JSON body is empty.'],
  FST_ERR_CTP_INVALID_JSON_BODY: [ErrorCode.InvalidRequest, 'The body is not valid JSON.'],
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: [ErrorCode.InvalidRequest, 'The Content-Length does not match the body.'],
  FST_ERR_CTP_EMPTY_TYPE: [ErrorCode.UnsupportedMediaType, 'The Content-Type header is empty.'],
  FST_ERR_CTP_INVALID_TYPE: [ErrorCode.UnsupportedMediaType, 'The Content-Type header is not valid.'],
  FST_INVALID_MULTIPART_CONTENT_TYPE: [ErrorCode.InvalidRequest, 'The request is not multipart/form-data.'],
  FST_REQ_FILE_TOO_LARGE: [ErrorCode.ImageTooLarge, 'An image is larger than 5 MiB.'],
  FST_FILES_LIMIT: [ErrorCode.InvalidRequest, 'The form has too many files.'],
  FST_FIELDS_LIMIT: [ErrorCode.InvalidRequest, 'The form has too many fields.'],
  FST_PARTS_LIMIT: [ErrorCode.InvalidRequest, 'The form has too many parts.'],
  FST_PROTO_VIOLATION: [ErrorCode.InvalidRequest, 'The form is malformed.'],
};

const STATUS_CODES: Record<number, ErrorCode> = {
  400: ErrorCode.InvalidRequest,
  401: ErrorCode.Unauthenticated,
  403: ErrorCode.InsufficientScope,
  404: ErrorCode.NotFound,
  405: ErrorCode.NotFound,
  408: ErrorCode.RequestTimeout,
  409: ErrorCode.Conflict,
  413: ErrorCode.ImageTooLarge,
  415: ErrorCode.UnsupportedMediaType,
  429: ErrorCode.RateLimited,
  503: ErrorCode.Unavailable,
  504: ErrorCode.Timeout,
};

/**
 * Turns anything thrown while serving a request into API.md's error body. Only PublicError and known
 * framework errors keep their message; anything else is a 500 with a generic sentence, never a stack trace.
 */
export function renderError(error: unknown, requestId: string): RenderedError {
  if (error instanceof PublicError) {
    return rendered(error.code, error.message, requestId, error.headers, false);
  }
  const code = (error as { code?: unknown })?.code;
  if (typeof code === 'string' && code in FASTIFY_ERRORS) {
    const [publicCode, message] = FASTIFY_ERRORS[code];
    return rendered(publicCode, message, requestId, {}, false);
  }
  if (isClientGone(error)) {
    return rendered(ErrorCode.InvalidRequest, 'The request ended before its body was complete.', requestId, {}, false);
  }
  const status = statusOf(error);
  if (status !== undefined && status >= 400 && status < 500) {
    const publicCode = STATUS_CODES[status] ?? ErrorCode.InvalidRequest;
    const message =
      status === 404 || status === 405
        ? 'There is no such route.'
        : status === 415
          ? 'This content type is not supported: send multipart/form-data, application/json, image/jpeg or image/png.'
          : status === 413
            ? 'The request body is larger than the limit.'
            : 'The request is not valid.';
    return rendered(publicCode, message, requestId, {}, false);
  }
  return rendered(ErrorCode.Internal, 'Something went wrong on our side; the request was not billed.', requestId, {}, true);
}

function rendered(
  code: ErrorCode,
  message: string,
  requestId: string,
  headers: Readonly<Record<string, string>>,
  unexpected: boolean,
): RenderedError {
  return { status: httpStatusOf(code), body: { error: { code, message, requestId } }, headers: { ...headers }, unexpected };
}

/** The client hung up or cut its body short: its mistake, or its network's, never a fault of ours. */
function isClientGone(error: unknown): boolean {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  return code === 'ECONNRESET' || code === 'ERR_STREAM_PREMATURE_CLOSE' || message === 'aborted' || message === 'Premature close';
}

function statusOf(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const candidate = error as { getStatus?: () => number; statusCode?: unknown; status?: unknown };
  if (typeof candidate.getStatus === 'function') return candidate.getStatus();
  if (typeof candidate.statusCode === 'number') return candidate.statusCode;
  if (typeof candidate.status === 'number') return candidate.status;
  return undefined;
}
