import { createHash } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import type Redis from 'ioredis';
import { ErrorCode, PublicError } from '@nomosly/contracts';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config';
import { EventsRedis } from '../events/events-redis';
import { GatewayMetrics } from '../metrics';
import { unavailable } from '../unavailable';
import { clientBucket } from './client-address';

/**
 * KEYS: the client's counter. ARGV: budget. Reads, never writes: returns { 1 within budget | 0 spent, seconds
 * left in the window }.
 */
const CHECK_SCRIPT = `
local failed = tonumber(redis.call('GET', KEYS[1]) or '0')
if failed < tonumber(ARGV[1]) then return { 1, 0 } end
return { 0, redis.call('TTL', KEYS[1]) }
`;

/** KEYS: the client's counter. ARGV: window seconds. Counts one lookup that found nothing; the first opens the window. */
const CHARGE_SCRIPT = `
local failed = redis.call('INCR', KEYS[1])
if failed == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
return failed
`;

/** Hex characters of the bucket's SHA-256 in a counter's name: enough that two clients never share one. */
const BUCKET_HASH_LENGTH = 32;

interface BudgetCommands {
  keyLookupCheck(counter: string, budget: number): Promise<[withinBudget: number, ttl: number]>;
  keyLookupCharge(counter: string, windowSeconds: number): Promise<number>;
}

/**
 * Each client address (an IPv6 /64) may make KEY_LOOKUP_FAILURES_PER_IP key lookups that find nothing in
 * Postgres per KEY_LOOKUP_FAILURE_WINDOW_SECONDS; past that, a key the caches do not know is refused with 429
 * before it costs a query. The check before a lookup only reads; a lookup is counted once Postgres has answered
 * that no such key exists, so a valid key costs one Redis call and a lookup that failed (Postgres down) costs the
 * client nothing. Counted on the events Redis, so the budget holds across gateway replicas; the counter is named
 * by a hash of the client's address, which is never written there.
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
    events.client.defineCommand('keyLookupCheck', { numberOfKeys: 1, lua: CHECK_SCRIPT });
    events.client.defineCommand('keyLookupCharge', { numberOfKeys: 1, lua: CHARGE_SCRIPT });
    this.redis = events.client as Redis & BudgetCommands;
    this.prefix = `${config.QUEUE_PREFIX}:auth:failed-key-lookups`;
  }

  /** Lets a database lookup go ahead while the client has budget left, or refuses with 429 `rate_limited` and Retry-After. */
  async check(clientAddress: string): Promise<void> {
    let withinBudget: number;
    let ttl: number;
    try {
      [withinBudget, ttl] = await this.redis.keyLookupCheck(this.counter(clientAddress), this.config.KEY_LOOKUP_FAILURES_PER_IP);
    } catch (error) {
      this.logger.error(`key lookup budget check failed: ${(error as Error).name}`);
      throw unavailable('The service cannot check API keys right now; try again shortly.');
    }
    if (withinBudget) return;
    this.metrics.limitRefusals.inc({ policy: 'failed_key_lookups' });
    const retryAfter = String(Math.max(1, ttl));
    throw new PublicError(
      ErrorCode.RateLimited,
      `Too many unknown API keys from this address: try again in ${retryAfter} s with a valid key.`,
      { 'retry-after': retryAfter },
    );
  }

  /** Postgres answered that the key does not exist: one failure for the client. A failure to count is logged, never the caller's problem. */
  async charge(clientAddress: string): Promise<void> {
    try {
      await this.redis.keyLookupCharge(this.counter(clientAddress), this.config.KEY_LOOKUP_FAILURE_WINDOW_SECONDS);
    } catch (error) {
      this.logger.error(`key lookup budget charge failed: ${(error as Error).name}`);
    }
  }

  /** The client's counter, named by a hash of its bucket: the events Redis keeps an append-only file, and no address goes in it. */
  private counter(clientAddress: string): string {
    const bucket = createHash('sha256').update(clientBucket(clientAddress)).digest('hex').slice(0, BUCKET_HASH_LENGTH);
    return `${this.prefix}:${bucket}`;
  }
}
