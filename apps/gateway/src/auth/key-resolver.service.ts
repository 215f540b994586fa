import { Inject, Injectable, Logger } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import { apiKeyMatches, hashApiKey } from '@nomosly/api-keys';
import { isScope } from '@nomosly/contracts';
import { ApiKey, Membership, WorkspaceRole } from '@nomosly/db';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config';
import { GatewayMetrics } from '../metrics';
import { TtlCache } from './key-cache';
import { KeyLookupBudget } from './key-lookup-budget';
import type { ResolvedKey } from './resolved-key';
import { unavailable } from '../unavailable';

const CACHE_ENTRIES = 50_000;

/**
 * Resolves a presented API key to its metadata through a cache; Postgres is read only on a miss. Hashes that
 * found nothing are remembered briefly in a cache of their own, bounded apart, so that a flood of unknown keys
 * can never push a known key out; and each client's lookups that find nothing are budgeted (KeyLookupBudget).
 */
@Injectable()
export class KeyResolver {
  private readonly known = new TtlCache<ResolvedKey>(CACHE_ENTRIES);
  private readonly unknown: TtlCache<true>;
  private readonly inflight = new Map<string, Promise<ResolvedKey | null>>();
  /** Bumped by every invalidation: a lookup that started before one must not cache what it read. */
  private generation = 0;
  private readonly logger = new Logger(KeyResolver.name);

  constructor(
    private readonly em: EntityManager,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
    private readonly metrics: GatewayMetrics,
    private readonly budget: KeyLookupBudget,
  ) {
    this.unknown = new TtlCache<true>(config.UNKNOWN_KEY_CACHE_ENTRIES);
  }

  /** `clientAddress` pays for a lookup that Postgres answers with no key; past its budget, a lookup is refused before the query. */
  async resolve(secret: string, clientAddress: string): Promise<ResolvedKey | null> {
    const key = await this.lookUp(hashApiKey(secret), clientAddress);
    // Found by its hash; the presented secret is still checked against the stored hash in constant time.
    return key && apiKeyMatches(secret, key.hash) ? key : null;
  }

  private async lookUp(hash: string, clientAddress: string): Promise<ResolvedKey | null> {
    const known = this.known.get(hash);
    if (known) {
      this.metrics.keyLookups.inc({ source: 'cache' });
      return known;
    }
    if (this.unknown.get(hash)) {
      this.metrics.keyLookups.inc({ source: 'unknown_cache' });
      return null;
    }
    // Concurrent misses for one key share a single query, paid for by the client that started it.
    const running = this.inflight.get(hash);
    if (running) return running;
    await this.budget.check(clientAddress);
    // A lookup that throws (Postgres down) is charged to nobody: only Postgres's answer "no such key" is.
    const found = await (this.inflight.get(hash) ?? this.startLoad(hash));
    if (!found) await this.budget.charge(clientAddress);
    return found;
  }

  private startLoad(hash: string): Promise<ResolvedKey | null> {
    const loading: Promise<ResolvedKey | null> = this.load(hash).finally(() => {
      // An invalidation may have replaced this lookup with a newer one meanwhile: leave that one be.
      if (this.inflight.get(hash) === loading) this.inflight.delete(hash);
    });
    this.inflight.set(hash, loading);
    return loading;
  }

  /** One key changed (revoked, rotated, deleted). */
  forgetKey(hash: string): void {
    this.generation++;
    this.inflight.delete(hash);
    this.known.delete(hash);
    this.unknown.delete(hash);
  }

  /** Something every key of a workspace carries changed (plan, spend cap, an owner's restriction of processing). */
  forgetWorkspace(workspaceId: string): void {
    this.generation++;
    this.inflight.clear();
    this.known.deleteGroup(workspaceId);
  }

  /** Changes may have been missed (the key-events subscription was down). */
  forgetAll(): void {
    this.generation++;
    this.inflight.clear();
    this.known.clear();
    this.unknown.clear();
  }

  private async load(hash: string): Promise<ResolvedKey | null> {
    this.metrics.keyLookups.inc({ source: 'database' });
    const generation = this.generation;
    let row: ApiKey | null;
    let restricted = false;
    try {
      const em = this.em.fork();
      row = await em.findOne(ApiKey, { hash }, { populate: ['createdBy', 'workspace'] });
      if (row) restricted = await anOwnerRestricted(em, row.workspace.id);
    } catch (error) {
      // Logged by type and code only: the driver's message quotes the query and its parameters.
      this.logger.error(`API key lookup failed: ${(error as Error).name} ${(error as { code?: string }).code ?? ''}`.trim());
      throw unavailable('The service cannot check API keys right now; try again shortly.');
    }
    const resolved = row ? toResolved(row, restricted) : null;
    if (generation === this.generation) {
      if (resolved) this.known.set(hash, resolved, this.config.KEY_CACHE_TTL_MS, resolved.workspaceId);
      else this.unknown.set(hash, true, this.config.UNKNOWN_KEY_CACHE_TTL_MS);
    }
    return resolved;
  }
}

/** Whether any owner of the workspace has restricted processing of their data. */
async function anOwnerRestricted(em: EntityManager, workspaceId: string): Promise<boolean> {
  const restricting = await em.count(Membership, { workspace: workspaceId, role: WorkspaceRole.Owner, user: { restrictedAt: { $ne: null } } });
  return restricting > 0;
}

function toResolved(row: ApiKey, restricted: boolean): ResolvedKey {
  return {
    keyId: row.id,
    hash: row.hash,
    workspaceId: row.workspace.id,
    userId: row.createdBy.id,
    prefix: row.prefix,
    scopes: row.scopes.filter(isScope),
    expiresAt: row.expiresAt?.getTime() ?? null,
    revokedAt: row.revokedAt?.getTime() ?? null,
    dailyLimit: row.dailyLimit,
    plan: row.workspace.getEntity().plan,
    monthlySpendCapCents: row.workspace.getEntity().monthlySpendCapCents,
    restricted,
  };
}
