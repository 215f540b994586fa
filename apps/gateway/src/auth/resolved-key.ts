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
  /**
   * An owner of the workspace has restricted processing of their data: every key of the workspace is refused
   * with 403 `restricted`. One restricting owner is enough, since the workspace's data is theirs too.
   */
  restricted: boolean;
}

export function isUsable(key: ResolvedKey, now: number): boolean {
  return key.revokedAt === null && (key.expiresAt === null || key.expiresAt > now);
}
