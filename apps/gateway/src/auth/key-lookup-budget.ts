import { Inject, Injectable, Logger } from '@nestjs/common';
import type Redis from 'ioredis';
import { ErrorCode, PublicError } from '@nomosly/contracts';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config';
import { EventsRedis } from '../events/events-redis';
import { GatewayMetrics } from '../metrics';
import { unavailable } from '../unavailable';
import { clientBucket } from './client-address';

/**
 * KEYS: the client's counter. ARGV: window seconds, budget.
 * Takes one lookup from the client's budget for the current window; a refused take leaves the count as it was.
 * Returns { 1 taken | 0 refused, seconds left in the window }.
 */
const TAKE_SCRIPT = `
local used = redis.call('INCR', KEYS[1])
if used == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
local ttl = redis.call('TTL', KEYS[1])
if used > tonumber(ARGV[2]) then
  redis.call('DECR', KEYS[1])
  return { 0, ttl }
end
return { 1, ttl }
`;

/** KEYS: the client's counter. Gives back a lookup that found a key; never below zero, keeps the TTL. */
const GIVE_BACK_SCRIPT = `
local used = tonumber(redis.call('GET', KEYS[1]) or '0')
if used > 0 then redis.call('SET', KEYS[1], used - 1, 'KEEPTTL') end
return 0
`;

interface BudgetCommands {
  keyLookupTake(counter: string, windowSeconds: number, budget: number): Promise<[taken: number, ttl: number]>;
  keyLookupGiveBack(counter: string): Promise<number>;
}

/**
 * Each client address (an IPv6 /64) may make KEY_LOOKUP_FAILURES_PER_IP key lookups that find nothing in
 * Postgres per KEY_LOOKUP_FAILURE_WINDOW_SECONDS; past that, a key the caches do not know is refused with 429
 * before it costs a query. Counted on the events Redis, so the budget holds across gateway replicas.
 */
@Injectable()
export class KeyLookupBudget {
  private readonly logger = new Logger(KeyLookupBudget.name);
  private readonly redis: Redis & BudgetCommands;
  private readonly prefix: string;

  constructor(
    events: EventsRedis,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
    private readonly metrics: GatewayMetrics,
  ) {
    events.client.defineCommand('keyLookupTake', { numberOfKeys: 1, lua: TAKE_SCRIPT });
    events.client.defineCommand('keyLookupGiveBack', { numberOfKeys: 1, lua: GIVE_BACK_SCRIPT });
    this.redis = events.client as Redis & BudgetCommands;
    this.prefix = `${config.QUEUE_PREFIX}:auth:failed-key-lookups`;
  }

  /** Takes one database lookup for the client, or refuses with 429 `rate_limited` and Retry-After. */
  async take(clientAddress: string): Promise<void> {
    let taken: number;
    let ttl: number;
    try {
      [taken, ttl] = await this.redis.keyLookupTake(this.counter(clientAddress), this.config.KEY_LOOKUP_FAILURE_WINDOW_SECONDS, this.config.KEY_LOOKUP_FAILURES_PER_IP);
    } catch (error) {
      this.logger.error(`key lookup budget check failed: ${(error as Error).name}`);
      throw unavailable('The service cannot check API keys right now; try again shortly.');
    }
    if (taken) return;
    this.metrics.limitRefusals.inc({ policy: 'failed_key_lookups' });
    const retryAfter = String(Math.max(1, ttl));
    throw new PublicError(
      ErrorCode.RateLimited,
      `Too many unknown API keys from this address: try again in ${retryAfter} s with a valid key.`,
      { 'retry-after': retryAfter },
    );
  }

  /** The lookup found a key: it is not a failure. A failure to give back is logged, never the caller's problem. */
  async giveBack(clientAddress: string): Promise<void> {
    try {
      await this.redis.keyLookupGiveBack(this.counter(clientAddress));
    } catch (error) {
      this.logger.error(`key lookup budget give-back failed: ${(error as Error).name}`);
    }
  }

  private counter(clientAddress: string): string {
    return `${this.prefix}:${clientBucket(clientAddress)}`;
  }
}
