import { Injectable } from '@nestjs/common';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isWellFormedApiKey, publicPrefixOf } from '@nomosly/api-keys';
import { ErrorCode, OPERATIONS, OPERATION_SPECS, PublicError, type Operation, type Scope } from '@nomosly/contracts';
import type { Ticket } from '@nomosly/limits';
import type { LoggableRequest } from '@nomosly/logging';
import { CallLimits } from '../limits/call-limits.service';
import { UsageRecorder, type BillableCall } from '../events/usage-recorder';
import { KeyResolver } from './key-resolver.service';
import { isUsable, type ResolvedKey } from './resolved-key';

interface AuthenticatedRequest extends FastifyRequest {
  /** The presented key, once recognised (known and usable), whether or not the call is then admitted. */
  apiKey?: ResolvedKey;
  /** The admitted call: billed if it ends in 2xx. */
  billable?: BillableCall;
  /** The units this call took from its workspace's month; given back unless it ends in 2xx. */
  limitsTicket?: Ticket;
}

/** The key a request presented, when it was recognised: its workspace may see the request in its log. */
export function recognisedKeyOf(request: FastifyRequest): ResolvedKey | null {
  return (request as AuthenticatedRequest).apiKey ?? null;
}

/** The call a request was admitted as, if any: the vision service runs nothing else. */
export function admittedCallOf(request: FastifyRequest): BillableCall | null {
  return (request as AuthenticatedRequest).billable ?? null;
}

/** Each public operation by the path of its route. */
const OPERATION_BY_ROUTE: ReadonlyMap<string, Operation> = new Map(OPERATIONS.map((op) => [OPERATION_SPECS[op].path, op]));

/**
 * The operation of the route Fastify matched, never of the URL's text: the router percent-decodes and accepts
 * an absolute-form request line, so `/v1/labels/detec%74` is the labels route, and must be checked as one.
 * A request no route matched has no operation (and gets a 404 without any key work).
 */
function operationOfRoute(request: FastifyRequest): Operation | undefined {
  const { method, url } = request.routeOptions;
  return method === 'POST' && url !== undefined ? OPERATION_BY_ROUTE.get(url) : undefined;
}

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
    private readonly usage: UsageRecorder,
  ) {}

  /** Registers the check on the Fastify instance, for the operation routes only (by the route matched). */
  install(instance: unknown): void {
    // Typed loosely: plugins (multipart) augment FastifyInstance in ways that make instances incompatible.
    const fastify = instance as FastifyInstance;
    fastify.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
      const operation = operationOfRoute(request);
      if (!operation) return;
      try {
        await this.admit(request, reply, operation);
      } finally {
        this.releaseWhenClosed(request, reply);
      }
    });
    // An operation whose route is spelt differently from its spec would never be authenticated (and then refused
    // by the vision service): refuse to start instead.
    fastify.addHook('onReady', async () => {
      const unrouted = OPERATIONS.filter((op) => !fastify.hasRoute({ method: 'POST', url: OPERATION_SPECS[op].path }));
      if (unrouted.length) throw new Error(`operations without a route at their API.md path: ${unrouted.join(', ')}`);
    });
    // Before the answer leaves: a 2xx only once its usage event is queued (else it becomes a 503), and refused
    // calls are not billed, so a client that reads its answer sees its units back.
    fastify.addHook('onSend', async (request: FastifyRequest, reply: FastifyReply, payload: unknown) => {
      const billable = (request as AuthenticatedRequest).billable;
      const answer = billable ? await this.usage.settle(request, reply, billable, payload) : payload;
      await this.refundUnlessSucceeded(request, reply);
      return answer;
    });
  }

  /**
   * Authenticates, takes the call's units and sets the RateLimit-* headers of its answer, then checks the scope:
   * every answer to an authenticated key carries the headers (API.md), a 403 too, whose units the refund hook
   * gives back like any answer that is not 2xx.
   */
  async admit(request: FastifyRequest, reply: HeaderSink, operation: Operation): Promise<void> {
    const spec = OPERATION_SPECS[operation];
    const key = await this.authenticate(request);
    // Before the limits and the body: a restricted workspace's call takes no units and its image is never read.
    if (key.restricted) throw new PublicError(ErrorCode.Restricted, 'The workspace owner has restricted processing of their data.');
    const admitted = await this.limits.admit(key, spec.units);
    reply.headers(admitted.headers);
    (request as AuthenticatedRequest).limitsTicket = admitted.ticket;
    requireScope(key, spec.scope);
    (request as AuthenticatedRequest).billable = { key, operation, units: spec.units };
  }

  async authenticate(request: FastifyRequest): Promise<ResolvedKey> {
    const secret = presentedKey(request);
    if (secret === null) {
      throw new PublicError(ErrorCode.Unauthenticated, 'API key missing: send it as "Authorization: Bearer <key>".');
    }
    const key = isWellFormedApiKey(secret) ? await this.keys.resolve(secret, request.ip) : null;
    if (!key || !isUsable(key, Date.now())) {
      throw new PublicError(ErrorCode.Unauthenticated, 'API key invalid: it is unknown, revoked or expired.');
    }
    (request.raw as LoggableRequest).keyPrefix = publicPrefixOf(secret);
    (request as AuthenticatedRequest).apiKey = key;
    return key;
  }

  /**
   * An admitted call holds a slot among its workspace's calls in flight until its response closes: sent, failed,
   * timed out, or the client gone (a crashed gateway's slots come back when their lease expires).
   */
  private releaseWhenClosed(request: FastifyRequest, reply: FastifyReply): void {
    const ticket = (request as AuthenticatedRequest).limitsTicket;
    if (!ticket) return;
    const release = () => void this.limits.release(ticket);
    if (reply.raw.closed) release();
    else reply.raw.once('close', release);
  }

  private async refundUnlessSucceeded(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const call = request as Partial<AuthenticatedRequest>;
    const ticket = call.limitsTicket;
    if (!ticket || (reply.statusCode >= 200 && reply.statusCode < 300)) return;
    call.limitsTicket = undefined;
    await this.limits.refund(ticket);
  }
}

function requireScope(key: ResolvedKey, scope: Scope): void {
  if (!key.scopes.includes(scope)) throw new PublicError(ErrorCode.InsufficientScope, `This key lacks the "${scope}" scope.`);
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
