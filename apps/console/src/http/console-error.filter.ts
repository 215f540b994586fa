import { type ArgumentsHost, Catch, type ExceptionFilter } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ConnectionException, DriverException } from '@mikro-orm/core';
import type { Logger } from 'pino';
import { AccountsError, AccountsErrorCode } from '@nomosly/accounts';
import { ErrorCode, PublicError } from '@nomosly/contracts';
import { sendError } from '@nomosly/http';
import { isConnectionError } from '@nomosly/observability';

/** Renders every error as API.md's error body; the accounts lib's codes become public ones here. */
@Catch()
export class ConsoleErrorFilter implements ExceptionFilter {
  constructor(private readonly logger: Logger) {}

  catch(error: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    sendError(publicErrorOf(error), http.getRequest<FastifyRequest>(), http.getResponse<FastifyReply>(), this.logger);
  }
}

const RETRY_AFTER = { 'retry-after': '5' };

export function publicErrorOf(error: unknown): unknown {
  if (error instanceof AccountsError) return toPublicError(error);
  const stored = storeErrorOf(error);
  if (stored) return stored;
  // Fastify's JSON parser rejects a malformed body with a bare SyntaxError.
  if (error instanceof SyntaxError && (error as { statusCode?: number }).statusCode === 400) {
    return new PublicError(ErrorCode.InvalidRequest, 'The body is not valid JSON.');
  }
  return error;
}

/**
 * What the stores' own errors mean for the caller: a database or Redis that cannot be reached is our outage
 * (503, retry later); a value PostgreSQL refuses to hold (a NUL character, a number out of range) or a
 * uniqueness lost to a concurrent request is the request's (400). Neither is a 500. MikroORM wraps the driver's
 * errors; the export's own pool and the knex transactions (deletion) hand pg's errors over as they are.
 */
function storeErrorOf(error: unknown): PublicError | undefined {
  const sqlState = sqlStateOf(error);
  if (error instanceof ConnectionException || sqlState.startsWith('08') || sqlState.startsWith('57P') || isConnectionLost(error)) {
    return new PublicError(ErrorCode.Unavailable, 'The service cannot reach its data right now; try again shortly.', RETRY_AFTER);
  }
  if (sqlState.startsWith('22')) return new PublicError(ErrorCode.InvalidRequest, 'The request holds a value that cannot be stored (a NUL character, or a number out of range).');
  if (sqlState === '23505') return new PublicError(ErrorCode.InvalidRequest, 'A concurrent request made the same change first; check the current state and try again.');
  return undefined;
}

/** PostgreSQL's SQLSTATE: on MikroORM's exceptions, or on pg's own errors (five digits or capitals). */
function sqlStateOf(error: unknown): string {
  const code = (error as { code?: unknown })?.code;
  if (error instanceof DriverException) return String(code ?? '');
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : '';
}

/** A connection that could not be opened or was lost (pg, ioredis), or knex's pool that found none in time. */
function isConnectionLost(error: unknown): boolean {
  return isConnectionError(error) || (error as { name?: string })?.name === 'KnexTimeoutError';
}

export function toPublicError(error: AccountsError): PublicError {
  switch (error.code) {
    case AccountsErrorCode.NotFound:
      return new PublicError(ErrorCode.NotFound, error.message);
    case AccountsErrorCode.InvalidRequest:
      return new PublicError(ErrorCode.InvalidRequest, error.message);
    case AccountsErrorCode.OwnerOnly:
      return new PublicError(ErrorCode.InsufficientScope, error.message);
    case AccountsErrorCode.Conflict:
      return new PublicError(ErrorCode.Conflict, error.message);
    case AccountsErrorCode.IdentityConflict:
      return new PublicError(ErrorCode.Unauthenticated, error.message);
    default:
      return unreachable(error.code);
  }
}

function unreachable(code: never): never {
  throw new Error(`unmapped accounts error code ${String(code)}`);
}
