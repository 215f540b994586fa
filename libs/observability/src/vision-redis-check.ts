import { inspectVisionRedisSettings, type RedisCommander } from './vision-redis-settings';

/** The settings P1 asks of the vision Redis, as an operator would type them. */
const KEEPS_NOTHING = 'save "", appendonly no and slowlog-log-slower-than -1';

/**
 * The check the gateway and the vision worker run before they use the vision Redis (P1: it keeps nothing on disk,
 * and no slow log that could keep image bytes). Throws one line naming each setting that breaks the promise, or,
 * when CONFIG is refused (managed Redis often disables it), naming VISION_REDIS_PERSISTENCE_CHECKED; with that
 * variable set, returns the line to log saying the check was skipped, and why. Returns null when all is well.
 */
export async function checkVisionRedis(redis: RedisCommander, { persistenceChecked }: { persistenceChecked: boolean }): Promise<string | null> {
  const settings = await inspectVisionRedisSettings(redis);
  if (settings.checked) {
    if (settings.problems.length === 0) return null;
    throw new Error(`the vision Redis must keep nothing (P1): ${settings.problems.join('; ')}`);
  }
  if (!persistenceChecked) {
    throw new Error(
      `the vision Redis's settings could not be read (${settings.reason}): where CONFIG is disabled on purpose, make sure ` +
        `it runs with ${KEEPS_NOTHING}, then set VISION_REDIS_PERSISTENCE_CHECKED=1`,
    );
  }
  return `vision Redis settings not checked: CONFIG refused (${settings.reason}); VISION_REDIS_PERSISTENCE_CHECKED=1 says ${KEEPS_NOTHING} were checked by hand`;
}
