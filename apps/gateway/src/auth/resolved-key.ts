import type { Scope } from '@nomosly/contracts';

/** What the gateway needs of an API key to serve a call; cached per key hash. */
export interface ResolvedKey {
  keyId: string;
  /** SHA-256 of the secret, hex: what a presented key is compared with. */
  hash: string;
  workspaceId: string;
  userId: string;
  prefix: string;
  scopes: readonly Scope[];
  expiresAt: number | null;
  revokedAt: number | null;
  dailyLimit: number | null;
  /** The workspace's plan name and spend cap (cents per UTC month; null: no cap). */
  plan: string;
  monthlySpendCapCents: number | null;
}

export function isUsable(key: ResolvedKey, now: number): boolean {
  return key.revokedAt === null && (key.expiresAt === null || key.expiresAt > now);
}
