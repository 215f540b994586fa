import { Inject, Injectable, Logger } from '@nestjs/common';
import { ErrorCode, PublicError } from '@nomosly/contracts';
import { LimitsStore, Plans, type Admission, type Ticket, rateLimitHeaders } from '@nomosly/limits';
import type { ResolvedKey } from '../auth/resolved-key';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config';
import { GatewayMetrics } from '../metrics';
import { unavailable } from '../unavailable';


export interface AdmittedCall {
  /** RateLimit-* headers for the response. */
  headers: Record<string, string>;
  /** What to give back if the call does not end in 2xx. */
  ticket: Ticket;
}

/** Admits a call against its key's and workspace's limits (P10), or refuses it with the documented error. */
@Injectable()
export class CallLimits {
  private readonly logger = new Logger(CallLimits.name);
  private readonly plans: Plans;

  constructor(
    private readonly store: LimitsStore,
    @Inject(GATEWAY_CONFIG) config: GatewayConfig,
    private readonly metrics: GatewayMetrics,
  ) {
    this.plans = new Plans(config.PLANS, (message) => this.logger.warn(message));
  }

  async admit(key: ResolvedKey, units: number): Promise<AdmittedCall> {
    const plan = this.plans.of(key.plan);
    let admission: Admission;
    try {
      admission = await this.store.admit({
        keyId: key.keyId,
        workspaceId: key.workspaceId,
        dailyLimit: key.dailyLimit,
        plan,
        monthlySpendCapCents: key.monthlySpendCapCents,
        units,
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
}

function refusal(admission: Admission, key: ResolvedKey, headers: Record<string, string>): PublicError {
  const limitOf = (policy: string) => admission.policies.find((state) => state.policy === policy)?.limit;
  switch (admission.refusedBy) {
    case 'rate':
      return new PublicError(ErrorCode.RateLimited, `Rate limit reached: this key may make ${limitOf('rate')} requests per second.`, headers);
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
