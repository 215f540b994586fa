import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { isWellFormedApiKey, publicPrefixOf } from '@nomosly/api-keys';
import { ErrorCode, PublicError, type Scope } from '@nomosly/contracts';
import type { LoggableRequest } from '@nomosly/logging';
import { KeyResolver } from './key-resolver.service';
import { REQUIRED_SCOPE } from './requires-scope.decorator';
import { isUsable, type ResolvedKey } from './resolved-key';

export interface AuthenticatedRequest extends FastifyRequest {
  apiKey: ResolvedKey;
}

/** Authenticates `Authorization: Bearer <key>` or `x-api-key`, then checks the route's scope. */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(
    private readonly keys: KeyResolver,
    private readonly reflector: Reflector,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const secret = presentedKey(request);
    if (secret === null) {
      throw new PublicError(ErrorCode.Unauthenticated, 'API key missing: send it as "Authorization: Bearer <key>".');
    }
    const key = isWellFormedApiKey(secret) ? await this.keys.resolve(secret) : null;
    if (!key || !isUsable(key, Date.now())) {
      throw new PublicError(ErrorCode.Unauthenticated, 'API key invalid: it is unknown, revoked or expired.');
    }

    request.apiKey = key;
    (request.raw as LoggableRequest).keyPrefix = publicPrefixOf(secret);

    const scope = this.reflector.get<Scope | undefined>(REQUIRED_SCOPE, context.getHandler());
    if (scope && !key.scopes.includes(scope)) {
      throw new PublicError(ErrorCode.InsufficientScope, `This key lacks the "${scope}" scope.`);
    }
    return true;
  }
}

function presentedKey(request: FastifyRequest): string | null {
  const authorization = request.headers.authorization;
  if (typeof authorization === 'string' && authorization.trim() !== '') {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization.trim());
    return match?.[1] ?? authorization.trim();
  }
  const header = request.headers['x-api-key'];
  const value = Array.isArray(header) ? header[0] : header;
  return value && value.trim() !== '' ? value.trim() : null;
}
