import { randomUUID } from 'node:crypto';
import type { Cluster, Redis } from 'ioredis';
import { secondsToNextUtcDay, secondsToNextUtcMonth } from './calendar';
import { type Plan, spendCents } from './plans';
import { ADMIT_SCRIPT, REFUND_SCRIPT, UNITS_SCRIPT } from './scripts';

/** The policies a call can be refused by, in the order they are checked. */
export type Refusal = 'rate' | 'workspace_rate' | 'in_flight' | 'daily' | 'quota' | 'spend_cap';

/**
 * A counted policy as the RateLimit-* headers report it. The workspace's calls in flight are listed only when
 * they refuse the call: they are a count of calls in progress, not a window that resets.
 */
export interface PolicyState {
  policy: 'rate' | 'workspace_rate' | 'in_flight' | 'daily' | 'quota';
  limit: number;
  remaining: number;
  /** Seconds until the window ends. */
  reset: number;
}

/**
 * What an admission took: its units, given back if the call does not end in 2xx, and its slot among the
 * workspace's calls in flight, given back when the call ends however it ends (else at the lease's expiry).
 */
export interface Ticket {
  unitsKey: string;
  units: number;
  inFlightKey: string;
  leaseId: string;
}

export interface AdmitInput {
  keyId: string;
  workspaceId: string;
  /** Requests per UTC day for this key; null means only the plan's limits apply. */
  dailyLimit: number | null;
  plan: Plan;
  monthlySpendCapCents: number | null;
  units: number;
  /**
   * How long the call may hold its slot among the workspace's calls in flight if nobody gives it back (a gateway
   * that crashed): longer than any call can last.
   */
  leaseMs: number;
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

type ScriptReply = [
  verdict: Refusal | 'none',
  now: number,
  rateUsed: number,
  dailyUsed: number,
  unitsUsed: number,
  month: number,
  workspaceRateUsed: number,
];

interface LimitsCommands {
  limitsAdmit(
    rateKey: string,
    dailyKey: string,
    unitsKey: string,
    workspaceRateKey: string,
    inFlightKey: string,
    ...args: Array<string | number>
  ): Promise<ScriptReply>;
  limitsRefund(unitsKey: string, units: number): Promise<number>;
  limitsUnits(unitsKey: string, fixedNow: string): Promise<number>;
}

export interface LimitsStoreOptions {
  /** Every key this store writes starts with it (see limitsPrefix). */
  prefix: string;
  /**
   * Redis Cluster: every key of a workspace carries its hash tag (workspaceTag), so that the admit script touches
   * one slot. Off, the keys keep the names they had before clusters were thought of: turning it on for a running
   * deployment starts the counters again (docs/scaling.md).
   */
  workspaceTags?: boolean;
  /** Tests only: replaces Redis TIME (Unix seconds). Production leaves it out so that replicas agree. */
  fixedClock?: () => number;
}

/**
 * Where limit counters live on the events Redis, for a deployment's queue prefix; every app uses this one. A
 * QUEUE_PREFIX that is a Redis Cluster hash tag (`{nomosly}`, which BullMQ needs there) loses its braces here: in a
 * key only the first `{...}` counts, and a limit key's must be its workspace's (see workspaceTag).
 */
export function limitsPrefix(queuePrefix: string): string {
  return `${queuePrefix.replace(/[{}]/g, '')}:limits`;
}

/** The store's options for a deployment's queue prefix: workspace hash tags exactly when the prefix is a hash tag. */
export function limitsStoreOptions(queuePrefix: string): LimitsStoreOptions {
  return { prefix: limitsPrefix(queuePrefix), workspaceTags: /^\{[^{}]+\}$/.test(queuePrefix) };
}

/**
 * How a workspace is named in its limit keys: with workspace tags, the hash tag of every limit key of the
 * workspace, its keys' own included (on Redis Cluster the admit script, which reads and counts all of them at once,
 * then touches one slot, and workspaces spread over the nodes); without, its id.
 */
function workspaceTag(workspaceId: string, tagged: boolean): string {
  return tagged ? `{ws:${workspaceId}}` : workspaceId;
}

/**
 * A workspace's calls in flight under a store's prefix: a sorted set of lease ids scored by their expiry (Unix ms).
 */
export function inFlightKeyOf(prefix: string, workspaceId: string, workspaceTags = false): string {
  return `${prefix}:in-flight:${workspaceTag(workspaceId, workspaceTags)}`;
}

/** A workspace's units in one UTC month (YYYYMM, utcMonthTagOf) under a store's prefix. */
export function unitsKeyOf(prefix: string, workspaceId: string, month: number, workspaceTags = false): string {
  return `${unitsBaseOf(prefix, workspaceId, workspaceTags)}:${month}`;
}

/** The admit script appends the month (from Redis TIME) to this. */
function unitsBaseOf(prefix: string, workspaceId: string, workspaceTags: boolean): string {
  return `${prefix}:units:${workspaceTag(workspaceId, workspaceTags)}`;
}

/** A key's own counters: under its workspace's hash tag on a cluster, by the key's id alone otherwise. */
function keyCounterOf(prefix: string, counter: 'rate' | 'daily', workspaceId: string, keyId: string, workspaceTags: boolean): string {
  return workspaceTags ? `${prefix}:${counter}:${workspaceTag(workspaceId, true)}:${keyId}` : `${prefix}:${counter}:${keyId}`;
}

/**
 * Per-key rate limit (1-second window) and daily counter; per-workspace rate limit, calls in flight (leases that
 * expire), monthly units and spend cap: all checked and counted by one Lua script on the events Redis (one round
 * trip, atomic, exact under concurrency).
 */
export class LimitsStore {
  private readonly redis: (Redis | Cluster) & LimitsCommands;
  private readonly prefix: string;
  private readonly workspaceTags: boolean;
  private readonly fixedClock?: () => number;

  constructor(redis: Redis | Cluster, options: LimitsStoreOptions) {
    if (/[{}]/.test(options.prefix)) {
      throw new Error(`limits prefix "${options.prefix}" holds a brace: the workspaces' hash tags must be the first in their keys (limitsPrefix drops them)`);
    }
    redis.defineCommand('limitsAdmit', { numberOfKeys: 5, lua: ADMIT_SCRIPT });
    redis.defineCommand('limitsRefund', { numberOfKeys: 1, lua: REFUND_SCRIPT });
    redis.defineCommand('limitsUnits', { numberOfKeys: 1, lua: UNITS_SCRIPT });
    this.redis = redis as (Redis | Cluster) & LimitsCommands;
    this.prefix = options.prefix;
    this.workspaceTags = options.workspaceTags ?? false;
    this.fixedClock = options.fixedClock;
  }

  async admit(input: AdmitInput): Promise<Admission> {
    const { plan } = input;
    const tags = this.workspaceTags;
    const unitsBase = unitsBaseOf(this.prefix, input.workspaceId, tags);
    const inFlightKey = inFlightKeyOf(this.prefix, input.workspaceId, tags);
    const leaseId = randomUUID();
    const [verdict, now, rateUsed, dailyUsed, unitsUsed, month, workspaceRateUsed] = await this.redis.limitsAdmit(
      keyCounterOf(this.prefix, 'rate', input.workspaceId, input.keyId, tags),
      keyCounterOf(this.prefix, 'daily', input.workspaceId, input.keyId, tags),
      unitsBase,
      `${this.prefix}:workspace-rate:${workspaceTag(input.workspaceId, tags)}`,
      inFlightKey,
      plan.rateLimitPerSecond,
      input.dailyLimit ?? -1,
      plan.monthlyUnitQuota,
      input.units,
      plan.centsPerThousandUnits,
      input.monthlySpendCapCents ?? -1,
      plan.workspaceRequestsPerSecond,
      plan.maxInFlight,
      leaseId,
      input.leaseMs,
      this.clockArgument(),
    );
    const policies: PolicyState[] = [
      { policy: 'rate', limit: plan.rateLimitPerSecond, remaining: plan.rateLimitPerSecond - rateUsed, reset: 1 },
      {
        policy: 'workspace_rate',
        limit: plan.workspaceRequestsPerSecond,
        remaining: plan.workspaceRequestsPerSecond - workspaceRateUsed,
        reset: 1,
      },
    ];
    if (verdict === 'in_flight') policies.push({ policy: 'in_flight', limit: plan.maxInFlight, remaining: 0, reset: 1 });
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
      ticket: admitted ? { unitsKey: unitsKeyOf(this.prefix, input.workspaceId, month, tags), units: input.units, inFlightKey, leaseId } : null,
    };
  }

  /** Gives back an admitted call's slot among its workspace's calls in flight, when the call ends. */
  async release(ticket: Ticket): Promise<void> {
    await this.redis.zrem(ticket.inFlightKey, ticket.leaseId);
  }

  /** Gives back the units of an admitted call that did not end in 2xx: refused calls are not billed. */
  async refund(ticket: Ticket): Promise<void> {
    await this.redis.limitsRefund(ticket.unitsKey, ticket.units);
  }

  async unitsThisMonth(workspaceId: string): Promise<number> {
    return this.redis.limitsUnits(unitsBaseOf(this.prefix, workspaceId, this.workspaceTags), this.clockArgument());
  }

  async spendThisMonthCents(workspaceId: string, plan: Plan): Promise<number> {
    return spendCents(await this.unitsThisMonth(workspaceId), plan);
  }

  private clockArgument(): string {
    return this.fixedClock ? String(Math.floor(this.fixedClock())) : '';
  }
}
