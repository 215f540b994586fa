import { EventEmitter } from 'node:events';
import { VisionRedisWatch, type WatchableRedis } from './vision-redis-check';

const KEEPS_NOTHING: Record<string, string> = { save: '', appendonly: 'no', 'slowlog-log-slower-than': '-1', 'slowlog-max-len': '128' };

/** A connection whose settings and readiness the test sets; 'ready' is emitted as ioredis does on each (re)connect. */
class FakeRedis extends EventEmitter implements WatchableRedis {
  status = 'connecting';
  settings = { ...KEEPS_NOTHING };
  async call(_command: string, _get: string, name: string): Promise<unknown> {
    return [name, this.settings[name] ?? ''];
  }
  connect(): void {
    this.status = 'ready';
    this.emit('ready');
  }
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 10));

describe('VisionRedisWatch (P1, the gateway\'s and the worker\'s one check)', () => {
  const logs = () => ({ warn: jest.fn(), error: jest.fn() });

  it('P1: refuses to start against a vision Redis that keeps anything', async () => {
    const redis = new FakeRedis();
    redis.status = 'ready';
    redis.settings.appendonly = 'yes';
    const watch = new VisionRedisWatch(redis, { persistenceChecked: false, log: logs() });
    await expect(watch.start(50)).rejects.toThrow(/appendonly is "yes"/);
    expect(watch.verified).toBe(false);
  });

  it('P1: checks one that did not answer at start when it answers, and again after every reconnect', async () => {
    const redis = new FakeRedis();
    const log = logs();
    const watch = new VisionRedisWatch(redis, { persistenceChecked: false, log });
    await expect(watch.start(10)).resolves.toBe(false);
    expect(watch.verified).toBe(false);
    redis.connect();
    await settle();
    expect(watch.verified).toBe(true);
    // Restarted with persistence on: refused until it keeps nothing again.
    redis.settings.appendonly = 'yes';
    redis.connect();
    await settle();
    expect(watch.verified).toBe(false);
    expect(watch.problem).toMatch(/appendonly is "yes"/);
    expect(log.error).toHaveBeenCalledWith(expect.stringMatching(/^vision calls refused: .*appendonly is "yes"/));
    redis.settings.appendonly = 'no';
    redis.connect();
    await settle();
    expect(watch.verified).toBe(true);
    watch.stop();
    redis.settings.appendonly = 'yes';
    redis.connect();
    await settle();
    expect(watch.verified).toBe(true);
  });
});
