import { Inject, Injectable, Logger } from '@nestjs/common';
import { ErrorCode, PublicError } from '@nomosly/contracts';
import { REQUEST_TIMEOUT_MS } from '@nomosly/http';
import { LimitsStore, Plans, type Admission, type Plan, type PlanTable, type Ticket, rateLimitHeaders } from '@nomosly/limits';
import type { ResolvedKey } from '../auth/resolved-key';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config';
import { GatewayMetrics } from '../metrics';
import { unavailable } from '../unavailable';

/** Headroom on a call's lease past the longest it can last (receiving it, then waiting for its result). */
const LEASE_MARGIN_MS = 5_000;

export interface AdmittedCall {
  /** RateLimit-* headers for the response. */
  headers: Record<string, string>;
  /** What to give back if the call does not end in 2xx (units), and when it ends (its slot in flight). */
  ticket: Ticket;
}

/**
 * Admits a call against its key's and workspace's limits (P10), or refuses it with the documented error. A
 * workspace's calls in flight are also its share of the vision backlog: at most its plan's maxInFlight, and never
 * more than VISION_WORKSPACE_BACKLOG_SHARE of VISION_MAX_BACKLOG, so one workspace flooding the queue is refused
 * (429) while the others' calls still pass.
 */
@Injectable()
export class CallLimits {
  private readonly logger = new Logger(CallLimits.name);
  /** The configured plans, each one's calls in flight already capped at the workspace's share of the backlog. */
  private readonly plans: Plans;
  private readonly leaseMs: number;

  constructor(
    private readonly store: LimitsStore,
    @Inject(GATEWAY_CONFIG) config: GatewayConfig,
    private readonly metrics: GatewayMetrics,
  ) {
    const backlogShare = Math.max(1, Math.floor(config.VISION_MAX_BACKLOG * config.VISION_WORKSPACE_BACKLOG_SHARE));
    this.plans = new Plans(cappedInFlight(config.PLANS, backlogShare), (message) => this.logger.warn(message));
    // A call lives at most while it is received (the request timeout) and then while it waits for its result.
    this.leaseMs = REQUEST_TIMEOUT_MS + config.VISION_DEADLINE_MS + LEASE_MARGIN_MS;
  }

  /** The plan a key's workspace is served by, its calls in flight capped at its share of the vision backlog. */
  planOf(key: ResolvedKey): Plan {
    return this.plans.of(key.plan);
  }

  async admit(key: ResolvedKey, units: number): Promise<AdmittedCall> {
    const plan = this.planOf(key);
    let admission: Admission;
    try {
      admission = await this.store.admit({
        keyId: key.keyId,
        workspaceId: key.workspaceId,
        dailyLimit: key.dailyLimit,
        plan,
        monthlySpendCapCents: key.monthlySpendCapCents,
        units,
        leaseMs: this.leaseMs,
      });
    } catch (error) {
      this.logger.error(`limits check failed: ${(error as Error).name}`);
      throw unavailable('The service cannot check usage limits right now; try again shortly.');
    }
    const headers = rateLimitHeaders(admission);
    if (!admission.ticket) {
      this.metrics.limitRefusals.inc({ policy: admission.refusedBy ?? 'unknown' });
      throw refusal(admission, key, headers);
    }
    return { headers, ticket: admission.ticket };
  }

  /** Gives back an admitted call's units; a failure is logged, never the caller's problem. */
  async refund(ticket: Ticket): Promise<void> {
    try {
      await this.store.refund(ticket);
    } catch (error) {
      this.logger.error(`limits refund failed: ${(error as Error).name}`);
    }
  }

  /** Gives back an ended call's slot among its workspace's calls in flight; if that fails, the lease expires. */
  async release(ticket: Ticket): Promise<void> {
    try {
      await this.store.release(ticket);
    } catch (error) {
      this.logger.error(`limits release failed: ${(error as Error).name}`);
    }
  }
}

/** The plan table with every plan's calls in flight at most `share`, built once rather than per call. */
function cappedInFlight(table: Readonly<PlanTable>, share: number): PlanTable {
  return Object.fromEntries(
    Object.entries(table).map(([name, plan]) => [name, plan.maxInFlight <= share ? plan : { ...plan, maxInFlight: share }]),
  );
}

function refusal(admission: Admission, key: ResolvedKey, headers: Record<string, string>): PublicError {
  const limitOf = (policy: string) => admission.policies.find((state) => state.policy === policy)?.limit;
  switch (admission.refusedBy) {
    case 'rate':
      return new PublicError(ErrorCode.RateLimited, `Rate limit reached: this key may make ${limitOf('rate')} requests per second.`, headers);
    case 'workspace_rate':
      return new PublicError(
        ErrorCode.RateLimited,
        `Rate limit reached: this workspace may make ${limitOf('workspace_rate')} requests per second, over all its keys.`,
        headers,
      );
    case 'in_flight':
      return new PublicError(
        ErrorCode.RateLimited,
        `Concurrency limit reached: this workspace may have ${limitOf('in_flight')} calls in progress at once; try again when one ends.`,
        headers,
      );
    case 'daily':
      return new PublicError(ErrorCode.RateLimited, `Daily limit reached: this key may make ${key.dailyLimit} requests per UTC day.`, headers);
    case 'quota':
      return new PublicError(ErrorCode.RateLimited, `Monthly quota reached: the plan includes ${limitOf('quota')} units per UTC month.`, headers);
    case 'spend_cap':
      return new PublicError(
        ErrorCode.SpendCapReached,
        "This call would take the workspace's spend this month above its cap; an owner can raise the cap in the console.",
        headers,
      );
    default:
      throw new Error('refusal() called for an admitted call');
  }
}
