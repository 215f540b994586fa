import type Redis from 'ioredis';
import { secondsToNextUtcDay, secondsToNextUtcMonth } from './calendar';
import { type Plan, spendCents } from './plans';
import { ADMIT_SCRIPT, REFUND_SCRIPT, UNITS_SCRIPT } from './scripts';

/** The policies a call can be refused by, in the order they are checked. */
export type Refusal = 'rate' | 'daily' | 'quota' | 'spend_cap';

/** A counted policy as the RateLimit-* headers report it. */
export interface PolicyState {
  policy: 'rate' | 'daily' | 'quota';
  limit: number;
  remaining: number;
  /** Seconds until the window ends. */
  reset: number;
}

/** What an admission took, so that a call that does not end in 2xx can give it back. */
export interface Ticket {
  unitsKey: string;
  units: number;
}

export interface AdmitInput {
  keyId: string;
  workspaceId: string;
  /** Requests per UTC day for this key; null means only the plan's limits apply. */
  dailyLimit: number | null;
  plan: Plan;
  monthlySpendCapCents: number | null;
  units: number;
}

export interface Admission {
  refusedBy: Refusal | null;
  /** Redis time, Unix seconds. */
  now: number;
  policies: PolicyState[];
  unitsThisMonth: number;
  /** Present when the call was admitted. */
  ticket: Ticket | null;
}

type ScriptReply = [verdict: Refusal | 'none', now: number, rateUsed: number, dailyUsed: number, unitsUsed: number, month: number];

interface LimitsCommands {
  limitsAdmit(rateKey: string, dailyKey: string, unitsKey: string, ...args: Array<string | number>): Promise<ScriptReply>;
  limitsRefund(unitsKey: string, units: number): Promise<number>;
  limitsUnits(unitsKey: string, fixedNow: string): Promise<number>;
}

export interface LimitsStoreOptions {
  /** Every key this store writes starts with it (see limitsPrefix). */
  prefix: string;
  /** Tests only: replaces Redis TIME (Unix seconds). Production leaves it out so that replicas agree. */
  fixedClock?: () => number;
}

/** Where limit counters live on the events Redis, for a deployment's queue prefix; every app uses this one. */
export function limitsPrefix(queuePrefix: string): string {
  return `${queuePrefix}:limits`;
}

/**
 * Per-key rate limit (1-second window) and daily counter, per-workspace monthly units and spend cap, all
 * checked and counted by one Lua script on the events Redis (atomic, exact under concurrency).
 */
export class LimitsStore {
  private readonly redis: Redis & LimitsCommands;
  private readonly prefix: string;
  private readonly fixedClock?: () => number;

  constructor(redis: Redis, options: LimitsStoreOptions) {
    redis.defineCommand('limitsAdmit', { numberOfKeys: 3, lua: ADMIT_SCRIPT });
    redis.defineCommand('limitsRefund', { numberOfKeys: 1, lua: REFUND_SCRIPT });
    redis.defineCommand('limitsUnits', { numberOfKeys: 1, lua: UNITS_SCRIPT });
    this.redis = redis as Redis & LimitsCommands;
    this.prefix = options.prefix;
    this.fixedClock = options.fixedClock;
  }

  async admit(input: AdmitInput): Promise<Admission> {
    const unitsBase = this.unitsBase(input.workspaceId);
    const [verdict, now, rateUsed, dailyUsed, unitsUsed, month] = await this.redis.limitsAdmit(
      `${this.prefix}:rate:${input.keyId}`,
      `${this.prefix}:daily:${input.keyId}`,
      unitsBase,
      input.plan.rateLimitPerSecond,
      input.dailyLimit ?? -1,
      input.plan.monthlyUnitQuota,
      input.units,
      input.plan.centsPerThousandUnits,
      input.monthlySpendCapCents ?? -1,
      this.clockArgument(),
    );
    const policies: PolicyState[] = [
      { policy: 'rate', limit: input.plan.rateLimitPerSecond, remaining: input.plan.rateLimitPerSecond - rateUsed, reset: 1 },
    ];
    if (input.dailyLimit !== null) {
      policies.push({ policy: 'daily', limit: input.dailyLimit, remaining: input.dailyLimit - dailyUsed, reset: secondsToNextUtcDay(now) });
    }
    policies.push({
      policy: 'quota',
      limit: input.plan.monthlyUnitQuota,
      remaining: input.plan.monthlyUnitQuota - unitsUsed,
      reset: secondsToNextUtcMonth(now),
    });
    for (const state of policies) state.remaining = Math.max(0, state.remaining);
    const admitted = verdict === 'none';
    return {
      refusedBy: admitted ? null : verdict,
      now,
      policies,
      unitsThisMonth: unitsUsed,
      ticket: admitted ? { unitsKey: `${unitsBase}:${month}`, units: input.units } : null,
    };
  }

  /** Gives back the units of an admitted call that did not end in 2xx: refused calls are not billed. */
  async refund(ticket: Ticket): Promise<void> {
    await this.redis.limitsRefund(ticket.unitsKey, ticket.units);
  }

  async unitsThisMonth(workspaceId: string): Promise<number> {
    return this.redis.limitsUnits(this.unitsBase(workspaceId), this.clockArgument());
  }

  async spendThisMonthCents(workspaceId: string, plan: Plan): Promise<number> {
    return spendCents(await this.unitsThisMonth(workspaceId), plan);
  }

  private unitsBase(workspaceId: string): string {
    return `${this.prefix}:units:${workspaceId}`;
  }

  private clockArgument(): string {
    return this.fixedClock ? String(Math.floor(this.fixedClock())) : '';
  }
}
