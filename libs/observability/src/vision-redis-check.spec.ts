import { checkVisionRedis } from './vision-redis-check';
import type { RedisCommander } from './vision-redis-settings';

/** A Redis that answers CONFIG GET from `settings`, or refuses CONFIG as a managed Redis may. */
function redisWith(settings: Record<string, string> | 'config disabled'): RedisCommander {
  return {
    call: async (_command: string, _get: string, name: string) => {
      if (settings === 'config disabled') throw new Error("ERR unknown command 'CONFIG'");
      return [name, settings[name] ?? ''];
    },
  };
}

const KEEPS_NOTHING = { save: '', appendonly: 'no', 'slowlog-log-slower-than': '-1', 'slowlog-max-len': '128' };

describe('checkVisionRedis (P1 at start)', () => {
  it('P1: passes a vision Redis that keeps nothing, with or without VISION_REDIS_PERSISTENCE_CHECKED', async () => {
    await expect(checkVisionRedis(redisWith(KEEPS_NOTHING), { persistenceChecked: false })).resolves.toBeNull();
    await expect(checkVisionRedis(redisWith(KEEPS_NOTHING), { persistenceChecked: true })).resolves.toBeNull();
  });

  it('P1: refuses, in one line naming each setting, one that writes to disk or keeps a slow log, even with the variable set', async () => {
    const redis = redisWith({ ...KEEPS_NOTHING, save: '3600 1', appendonly: 'yes', 'slowlog-log-slower-than': '10000' });
    const refusal = checkVisionRedis(redis, { persistenceChecked: true });
    await expect(refusal).rejects.toThrow(/^the vision Redis must keep nothing \(P1\): save is "3600 1".*; appendonly is "yes".*; slowlog-log-slower-than is 10000/);
    await expect(refusal).rejects.toThrow(/^[^\n]+$/);
  });

  it('P1: where CONFIG is refused, refuses unless VISION_REDIS_PERSISTENCE_CHECKED=1, then returns the line saying the check was skipped', async () => {
    await expect(checkVisionRedis(redisWith('config disabled'), { persistenceChecked: false })).rejects.toThrow(
      /could not be read \(ERR unknown command 'CONFIG'\).*set VISION_REDIS_PERSISTENCE_CHECKED=1/,
    );
    await expect(checkVisionRedis(redisWith('config disabled'), { persistenceChecked: true })).resolves.toMatch(
      /^vision Redis settings not checked: CONFIG refused .*VISION_REDIS_PERSISTENCE_CHECKED=1 says/,
    );
  });
});
