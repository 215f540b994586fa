import { type ArgumentsHost, Catch, type ExceptionFilter } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { AccountsError, AccountsErrorCode } from '@nomosly/accounts';
import { ErrorCode, PublicError } from '@nomosly/contracts';
import { sendError } from '@nomosly/http';

/** Renders every error as API.md's error body; the accounts lib's codes become public ones here. */
@Catch()
export class ConsoleErrorFilter implements ExceptionFilter {
  constructor(private readonly logger: Logger) {}

  catch(error: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    sendError(publicErrorOf(error), http.getRequest<FastifyRequest>(), http.getResponse<FastifyReply>(), this.logger);
  }
}

function publicErrorOf(error: unknown): unknown {
  if (error instanceof AccountsError) return toPublicError(error);
  // Fastify's JSON parser rejects a malformed body with a bare SyntaxError.
  if (error instanceof SyntaxError && (error as { statusCode?: number }).statusCode === 400) {
    return new PublicError(ErrorCode.InvalidRequest, 'The body is not valid JSON.');
  }
  return error;
}

export function toPublicError(error: AccountsError): PublicError {
  switch (error.code) {
    case AccountsErrorCode.NotFound:
      return new PublicError(ErrorCode.NotFound, error.message);
    case AccountsErrorCode.InvalidRequest:
      return new PublicError(ErrorCode.InvalidRequest, error.message);
    case AccountsErrorCode.OwnerOnly:
      return new PublicError(ErrorCode.InsufficientScope, error.message);
    case AccountsErrorCode.IdentityConflict:
      return new PublicError(ErrorCode.Unauthenticated, error.message);
    default:
      return unreachable(error.code);
  }
}

function unreachable(code: never): never {
  throw new Error(`unmapped accounts error code ${String(code)}`);
}
