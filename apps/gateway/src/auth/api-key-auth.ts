import { Injectable } from '@nestjs/common';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isWellFormedApiKey, publicPrefixOf } from '@nomosly/api-keys';
import { ErrorCode, OPERATIONS, OPERATION_SPECS, PublicError, type Operation, type Scope } from '@nomosly/contracts';
import type { Ticket } from '@nomosly/limits';
import { type LoggableRequest, pathOf } from '@nomosly/logging';
import { CallLimits } from '../limits/call-limits.service';
import { KeyResolver } from './key-resolver.service';
import { LastUsedStamper } from './last-used-stamper';
import { isUsable, type ResolvedKey } from './resolved-key';

export interface AuthenticatedRequest extends FastifyRequest {
  apiKey: ResolvedKey;
  /** The units this call took from its workspace's month; given back unless it ends in 2xx. */
  limitsTicket?: Ticket;
}

/** Each public operation by its path. */
const OPERATION_BY_PATH: ReadonlyMap<string, Operation> = new Map(OPERATIONS.map((op) => [OPERATION_SPECS[op].path, op]));

/** Only what admit() touches of a Fastify reply (the benchmark passes a stand-in). */
type HeaderSink = Pick<FastifyReply, 'headers'>;

/**
 * Authenticates `Authorization: Bearer <key>` or `x-api-key`, checks the operation's scope and admits the call
 * through the limits (P10). It runs as a Fastify onRequest hook, before the body is read: a call without a
 * valid key, or over a limit, never costs an upload.
 */
@Injectable()
export class ApiKeyAuth {
  constructor(
    private readonly keys: KeyResolver,
    private readonly limits: CallLimits,
    private readonly lastUsed: LastUsedStamper,
  ) {}

  /** Registers the check on the Fastify instance, for the operation routes only. */
  install(instance: unknown): void {
    // Typed loosely: plugins (multipart) augment FastifyInstance in ways that make instances incompatible.
    const fastify = instance as FastifyInstance;
    fastify.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
      const operation = request.method === 'POST' ? OPERATION_BY_PATH.get(pathOf(request.url)) : undefined;
      if (operation) await this.admit(request, reply, operation);
    });
    // Refused calls are not billed: before the answer leaves, so a client that reads it sees its units back.
    fastify.addHook('onSend', async (request: FastifyRequest, reply: FastifyReply, payload: unknown) => {
      await this.refundUnlessSucceeded(request, reply);
      return payload;
    });
    // A response that never went through onSend (the client gone first) is given back here.
    fastify.addHook('onResponse', async (request: FastifyRequest, reply: FastifyReply) => this.refundUnlessSucceeded(request, reply));
  }

  /** Authenticates, checks the scope and takes the call's units; sets the RateLimit-* headers of its answer. */
  async admit(request: FastifyRequest, reply: HeaderSink, operation: Operation): Promise<void> {
    const spec = OPERATION_SPECS[operation];
    const key = await this.authenticate(request, spec.scope);
    this.lastUsed.touch(key.keyId);
    const admitted = await this.limits.admit(key, spec.units);
    reply.headers(admitted.headers);
    (request as AuthenticatedRequest).apiKey = key;
    (request as AuthenticatedRequest).limitsTicket = admitted.ticket;
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

  private async refundUnlessSucceeded(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const call = request as Partial<AuthenticatedRequest>;
    const ticket = call.limitsTicket;
    if (!ticket || (reply.statusCode >= 200 && reply.statusCode < 300)) return;
    call.limitsTicket = undefined;
    await this.limits.refund(ticket);
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
