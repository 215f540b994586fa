import type { EntityManager } from '@mikro-orm/postgresql';
import { generateApiKey, hashApiKey } from '@nomosly/api-keys';
import { ErrorCode, PublicError } from '@nomosly/contracts';
import { type GatewayConfig, gatewayConfigSchema } from '../config';
import { GatewayMetrics } from '../metrics';
import type { KeyLookupBudget } from './key-lookup-budget';
import { KeyResolver } from './key-resolver.service';

const CLIENT = '203.0.113.7';
/** Well-formed keys no row has, cheap to make by the ten thousand. */
const unknownKey = (n: number) => `nk_live_${n.toString(36).padStart(32, '0')}`;

/** Postgres as the resolver sees it: one key, and a count of the queries asked of it. */
function fakeDatabase(known: ReturnType<typeof generateApiKey>) {
  const workspace = { id: '1c7a1e7f-9a6d-4a4a-8e2f-1e8a7c1f2b22', plan: 'free', monthlySpendCapCents: null };
  const row = {
    id: '0b6f0d6e-8f5c-4f39-9d1e-0d7f6b0e1a11',
    hash: known.hash,
    prefix: known.prefix,
    scopes: ['labels:detect'],
    expiresAt: null,
    revokedAt: null,
    dailyLimit: null,
    workspace: { id: workspace.id, getEntity: () => workspace },
    createdBy: { id: '2d8b2f80-ab7e-4b5b-9f30-2f9b8d203c33' },
  };
  const findOne = jest.fn(async (_entity: unknown, where: { hash: string }) => (where.hash === known.hash ? row : null));
  // No owner of the workspace has restricted processing.
  const count = jest.fn(async () => 0);
  return { em: { fork: () => ({ findOne, count }) } as unknown as EntityManager, queries: () => findOne.mock.calls.length };
}

/** A budget that lets lookups go ahead until `allowed` found nothing, then refuses as the real one does (429). */
function fakeBudget(allowed: number) {
  let failed = 0;
  const budget = {
    check: jest.fn(async () => {
      if (failed >= allowed) throw new PublicError(ErrorCode.RateLimited, 'too many', { 'retry-after': '60' });
    }),
    charge: jest.fn(async () => void failed++),
  };
  return budget;
}

function resolverWith(budget: ReturnType<typeof fakeBudget>, overrides: Record<string, string> = {}) {
  const known = generateApiKey();
  const database = fakeDatabase(known);
  const config: GatewayConfig = gatewayConfigSchema.parse({ UNKNOWN_KEY_CACHE_ENTRIES: '1000', ...overrides });
  const resolver = new KeyResolver(database.em, config, new GatewayMetrics(), budget as unknown as KeyLookupBudget);
  return { resolver, known, queries: database.queries };
}

describe('KeyResolver: unknown keys are cheap to refuse', () => {
  it('asks Postgres at most once per unknown key, and not again while the key is remembered as unknown', async () => {
    const { resolver, queries } = resolverWith(fakeBudget(Infinity));
    for (let n = 0; n < 500; n++) expect(await resolver.resolve(unknownKey(n), CLIENT)).toBeNull();
    expect(queries()).toBe(500);
    for (let n = 0; n < 500; n++) expect(await resolver.resolve(unknownKey(n), CLIENT)).toBeNull();
    expect(queries()).toBe(500);
  });

  it('keeps known keys cached whatever the flood of unknown ones (their cache is bounded apart)', async () => {
    const { resolver, known, queries } = resolverWith(fakeBudget(Infinity));
    expect(await resolver.resolve(known.secret, CLIENT)).toMatchObject({ hash: known.hash });
    // More unknown keys than either cache holds.
    for (let n = 0; n < 60_000; n++) await resolver.resolve(unknownKey(n), CLIENT);
    const before = queries();
    expect(await resolver.resolve(known.secret, CLIENT)).toMatchObject({ hash: known.hash });
    expect(queries()).toBe(before);
  });

  it('charges the client only for lookups that find nothing, and refuses past its budget before any query', async () => {
    const budget = fakeBudget(3);
    const { resolver, known, queries } = resolverWith(budget);
    // A known key's lookup is checked against the budget and never charged: it is no failure.
    await resolver.resolve(known.secret, CLIENT);
    expect(budget.check).toHaveBeenCalledTimes(1);
    expect(budget.charge).not.toHaveBeenCalled();
    for (let n = 0; n < 3; n++) await resolver.resolve(unknownKey(n), CLIENT);
    expect(queries()).toBe(4);
    expect(budget.charge).toHaveBeenCalledTimes(3);
    await expect(resolver.resolve(unknownKey(99), CLIENT)).rejects.toMatchObject({ code: ErrorCode.RateLimited });
    expect(queries()).toBe(4);
    // What the caches know is still answered: the cached known key, and an unknown key remembered as such.
    expect(await resolver.resolve(known.secret, CLIENT)).toMatchObject({ hash: known.hash });
    expect(await resolver.resolve(unknownKey(0), CLIENT)).toBeNull();
    expect(budget.charge).toHaveBeenCalledTimes(3);
  });

  it('charges nobody for a lookup that failed because Postgres is down: an outage eats no client\'s budget', async () => {
    const budget = fakeBudget(1);
    const failing = { fork: () => ({ findOne: jest.fn(async () => Promise.reject(new Error('connect ECONNREFUSED'))) }) };
    const config: GatewayConfig = gatewayConfigSchema.parse({ UNKNOWN_KEY_CACHE_ENTRIES: '1000' });
    const resolver = new KeyResolver(failing as unknown as EntityManager, config, new GatewayMetrics(), budget as unknown as KeyLookupBudget);
    for (let n = 0; n < 3; n++) {
      await expect(resolver.resolve(unknownKey(n), CLIENT)).rejects.toMatchObject({ code: ErrorCode.Unavailable });
    }
    expect(budget.charge).not.toHaveBeenCalled();
    // Postgres back: the client still has its whole budget.
    const { resolver: recovered, queries } = resolverWith(budget);
    expect(await recovered.resolve(unknownKey(0), CLIENT)).toBeNull();
    expect(queries()).toBe(1);
  });

  it('forgets an unknown hash when a key event names it: a key created since works at once', async () => {
    const { resolver, queries } = resolverWith(fakeBudget(Infinity));
    const secret = unknownKey(7);
    await resolver.resolve(secret, CLIENT);
    await resolver.resolve(secret, CLIENT);
    expect(queries()).toBe(1);
    resolver.forgetKey(hashApiKey(secret));
    await resolver.resolve(secret, CLIENT);
    expect(queries()).toBe(2);
  });
});
