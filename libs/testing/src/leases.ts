import type Redis from 'ioredis';

/**
 * The leases in a sorted set of lease id -> expiry (Unix ms) that have not expired: a workspace's calls in flight
 * as the limits store keeps them (its key: `inFlightKeyOf` in @nomosly/limits). Read straight from Redis, for
 * specs that wait on admissions and releases.
 */
export async function liveLeases(redis: Redis, key: string, nowMs = Date.now()): Promise<number> {
  return redis.zcount(key, `(${nowMs}`, '+inf');
}
