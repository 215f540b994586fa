import { Injectable } from '@nestjs/common';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { isWellFormedApiKey, publicPrefixOf } from '@nomosly/api-keys';
import { ErrorCode, OPERATIONS, OPERATION_SPECS, PublicError, type Scope } from '@nomosly/contracts';
import { type LoggableRequest, pathOf } from '@nomosly/logging';
import { KeyResolver } from './key-resolver.service';
import { isUsable, type ResolvedKey } from './resolved-key';

export interface AuthenticatedRequest extends FastifyRequest {
  apiKey: ResolvedKey;
}

/** The scope each public operation needs, by its path. */
const SCOPE_BY_PATH: ReadonlyMap<string, Scope> = new Map(OPERATIONS.map((op) => [OPERATION_SPECS[op].path, OPERATION_SPECS[op].scope]));

/**
 * Authenticates `Authorization: Bearer <key>` or `x-api-key` and checks the operation's scope. It runs as a
 * Fastify onRequest hook, before the body is read: a call without a valid key never costs an upload.
 */
@Injectable()
export class ApiKeyAuth {
  constructor(private readonly keys: KeyResolver) {}

  /** Registers the check on the Fastify instance, for the operation routes only. */
  install(instance: unknown): void {
    // Typed loosely: plugins (multipart) augment FastifyInstance in ways that make instances incompatible.
    (instance as FastifyInstance).addHook('onRequest', async (request: FastifyRequest) => {
      const scope = request.method === 'POST' ? SCOPE_BY_PATH.get(pathOf(request.url)) : undefined;
      if (scope) (request as AuthenticatedRequest).apiKey = await this.authenticate(request, scope);
    });
  }

  async authenticate(request: FastifyRequest, scope: Scope): Promise<ResolvedKey> {
    const secret = presentedKey(request);
    if (secret === null) {
      throw new PublicError(ErrorCode.Unauthenticated, 'API key missing: send it as "Authorization: Bearer <key>".');
    }
    const key = isWellFormedApiKey(secret) ? await this.keys.resolve(secret) : null;
    if (!key || !isUsable(key, Date.now())) {
      throw new PublicError(ErrorCode.Unauthenticated, 'API key invalid: it is unknown, revoked or expired.');
    }
    (request.raw as LoggableRequest).keyPrefix = publicPrefixOf(secret);
    if (!key.scopes.includes(scope)) {
      throw new PublicError(ErrorCode.InsufficientScope, `This key lacks the "${scope}" scope.`);
    }
    return key;
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
