import { createHash, randomInt, timingSafeEqual } from 'node:crypto';

/** API.md: `nk_live_` followed by 32 base62 characters; the first 12 characters are the public prefix. */
export const API_KEY_PREFIX = 'nk_live_';
const SECRET_LENGTH = 32;
const PUBLIC_PREFIX_LENGTH = API_KEY_PREFIX.length + 4;
const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const KEY_PATTERN = new RegExp(`^${API_KEY_PREFIX}[0-9A-Za-z]{${SECRET_LENGTH}}$`);

export interface GeneratedApiKey {
  /** The full key. Shown once to its owner; never stored or logged. */
  readonly secret: string;
  /** The first 12 characters, safe to show and log. */
  readonly prefix: string;
  /** SHA-256 of the full key, hex: the only form that is stored. */
  readonly hash: string;
}

export function generateApiKey(): GeneratedApiKey {
  let body = '';
  for (let i = 0; i < SECRET_LENGTH; i++) body += BASE62[randomInt(BASE62.length)];
  const secret = API_KEY_PREFIX + body;
  return { secret, prefix: publicPrefixOf(secret), hash: hashApiKey(secret) };
}

export function isWellFormedApiKey(candidate: string): boolean {
  return KEY_PATTERN.test(candidate);
}

export function publicPrefixOf(secret: string): string {
  return secret.slice(0, PUBLIC_PREFIX_LENGTH);
}

export function hashApiKey(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

/** Compares a presented key with a stored hash in constant time. */
export function apiKeyMatches(secret: string, storedHash: string): boolean {
  const presented = Buffer.from(hashApiKey(secret), 'hex');
  const stored = Buffer.from(storedHash, 'hex');
  return presented.length === stored.length && timingSafeEqual(presented, stored);
}
