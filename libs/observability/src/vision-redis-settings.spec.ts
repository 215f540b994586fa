import { inspectVisionRedisSettings, type RedisCommander } from './vision-redis-settings';

describe('inspectVisionRedisSettings', () => {
  it('asks for its four settings in one round trip, not one after another', async () => {
    let waiting = 0;
    let mostAtOnce = 0;
    const redis: RedisCommander = {
      call: async (_command: string, _get: string, name: string) => {
        waiting++;
        mostAtOnce = Math.max(mostAtOnce, waiting);
        await new Promise((resolve) => setTimeout(resolve, 5));
        waiting--;
        return [name, name === 'slowlog-log-slower-than' ? '-1' : name === 'appendonly' ? 'no' : ''];
      },
    };
    await expect(inspectVisionRedisSettings(redis)).resolves.toEqual({ checked: true, problems: [] });
    expect(mostAtOnce).toBe(4);
  });
});
