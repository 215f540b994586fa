import { DEFAULT_PLANS, type LimitsStore } from '@nomosly/limits';
import type { ResolvedKey } from '../auth/resolved-key';
import { loadGatewayConfig } from '../config';
import type { GatewayMetrics } from '../metrics';
import { CallLimits } from './call-limits.service';

const key = (plan: string): ResolvedKey => ({
  keyId: 'k',
  hash: 'h',
  workspaceId: 'w',
  userId: 'u',
  prefix: 'nk_live_abcd',
  scopes: [],
  expiresAt: null,
  revokedAt: null,
  dailyLimit: null,
  plan,
  monthlySpendCapCents: null,
  restricted: false,
});

const limitsWith = (env: Record<string, string>) =>
  new CallLimits({} as LimitsStore, loadGatewayConfig({ QUEUE_PREFIX: 'spec', ...env }), {} as GatewayMetrics);

describe('CallLimits: a workspace\'s share of the vision backlog', () => {
  it('caps calls in flight at VISION_WORKSPACE_BACKLOG_SHARE of VISION_MAX_BACKLOG, below a larger plan figure', () => {
    const limits = limitsWith({ VISION_MAX_BACKLOG: '60', VISION_WORKSPACE_BACKLOG_SHARE: '0.25' });
    expect(limits.planOf(key('pro'))).toEqual({ ...DEFAULT_PLANS.pro, maxInFlight: 15 });
    expect(limits.planOf(key('free')).maxInFlight).toBe(DEFAULT_PLANS.free.maxInFlight);
    // By default a workspace may hold half the backlog; at least one call, however small the backlog.
    expect(limitsWith({ VISION_MAX_BACKLOG: '40' }).planOf(key('pro')).maxInFlight).toBe(20);
    expect(limitsWith({ VISION_MAX_BACKLOG: '1' }).planOf(key('pro')).maxInFlight).toBe(1);
  });

  it('builds the capped plans once: a call looks its plan up, never copies it', () => {
    const limits = limitsWith({ VISION_MAX_BACKLOG: '60', VISION_WORKSPACE_BACKLOG_SHARE: '0.25' });
    expect(limits.planOf(key('pro'))).toBe(limits.planOf(key('pro')));
    // A plan no one configured is served as free, capped the same way.
    expect(limitsWith({ VISION_MAX_BACKLOG: '1' }).planOf(key('no-such-plan'))).toEqual({ ...DEFAULT_PLANS.free, maxInFlight: 1 });
  });

  it('refuses a share that is not a fraction above 0 and at most 1, naming the variable', () => {
    for (const bad of ['0', '1.5', '-0.1', 'half']) {
      expect(() => limitsWith({ VISION_WORKSPACE_BACKLOG_SHARE: bad })).toThrow(/VISION_WORKSPACE_BACKLOG_SHARE/);
    }
  });
});
