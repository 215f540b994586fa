import { z } from 'zod';
import { DEFAULT_PLANS, Plans, plansEnv, spendCents, withWorkspaceDefaults } from './plans';

const schema = z.object({ PLANS: plansEnv() });

describe('plans', () => {
  it('defaults to free and pro, and lays PLANS over them plan by plan', () => {
    expect(schema.parse({}).PLANS).toEqual(DEFAULT_PLANS);
    const tiny = { rateLimitPerSecond: 1, monthlyUnitQuota: 5, centsPerThousandUnits: 10, workspaceRequestsPerSecond: 3, maxInFlight: 2, maxActiveKeys: 4 };
    expect(schema.parse({ PLANS: JSON.stringify({ free: tiny }) }).PLANS).toEqual({ free: tiny, pro: DEFAULT_PLANS.pro });
  });

  it('gives a plan written before the per-workspace figures existed defaults that follow from its per-key rate', () => {
    const old = { rateLimitPerSecond: 30, monthlyUnitQuota: 5, centsPerThousandUnits: 10 };
    expect(schema.parse({ PLANS: JSON.stringify({ old }) }).PLANS.old).toEqual({
      ...old,
      workspaceRequestsPerSecond: 60,
      maxInFlight: 30,
      maxActiveKeys: 25,
    });
    expect(withWorkspaceDefaults({ ...old, rateLimitPerSecond: 2 }).maxInFlight).toBe(10);
  });

  it('refuses a per-workspace figure that is not a positive whole number, or a misspelt one, saying which', () => {
    const base = { rateLimitPerSecond: 1, monthlyUnitQuota: 5, centsPerThousandUnits: 0 };
    const message = (plan: object) => schema.safeParse({ PLANS: JSON.stringify({ team: plan }) }).error?.issues[0].message;
    expect(message({ ...base, maxInFlight: 0 })).toMatch(/^plan team\.maxInFlight: /);
    expect(message({ ...base, workspaceRequestsPerSecond: 1.5 })).toMatch(/^plan team\.workspaceRequestsPerSecond: /);
    expect(message({ ...base, maxActiveKeys: -1 })).toMatch(/^plan team\.maxActiveKeys: /);
    expect(message({ ...base, maxInflight: 3 })).toMatch(/^plan team\.maxInflight: /);
  });

  it('refuses PLANS that is not JSON, or a plan with a missing or negative figure, naming the variable', () => {
    for (const bad of ['{', '{"free": {"rateLimitPerSecond": 1}}', '{"x": {"rateLimitPerSecond": 1, "monthlyUnitQuota": -1, "centsPerThousandUnits": 0}}']) {
      const parsed = schema.safeParse({ PLANS: bad });
      expect(parsed.success).toBe(false);
      expect(parsed.error?.issues[0].path).toEqual(['PLANS']);
    }
  });

  it('serves an unknown plan as free, and says so once', () => {
    const warnings: string[] = [];
    const plans = new Plans(DEFAULT_PLANS, (message) => warnings.push(message));
    expect(plans.of('pro')).toBe(DEFAULT_PLANS.pro);
    expect(plans.of('enterprise')).toBe(DEFAULT_PLANS.free);
    expect(plans.of('enterprise')).toBe(DEFAULT_PLANS.free);
    expect(plans.of('toString')).toBe(DEFAULT_PLANS.free);
    expect(warnings).toHaveLength(2);
  });

  it('rounds spend up to a whole cent', () => {
    expect(spendCents(1, DEFAULT_PLANS.pro)).toBe(1);
    expect(spendCents(1000, DEFAULT_PLANS.pro)).toBe(100);
    expect(spendCents(1001, DEFAULT_PLANS.pro)).toBe(101);
    expect(spendCents(5000, DEFAULT_PLANS.free)).toBe(0);
  });
});
