import { ConfigError } from '@nomosly/config';
import { loadWorkerConfig } from './config';

describe('vision worker config', () => {
  it('refuses ENGINE=null outside NODE_ENV=test, naming ENGINE (a null engine answers every call empty, and bills it)', () => {
    for (const nodeEnv of ['production', 'development', undefined]) {
      const environment = { ENGINE: 'null', ...(nodeEnv ? { NODE_ENV: nodeEnv } : {}) };
      expect(() => loadWorkerConfig(environment)).toThrow(ConfigError);
      expect(() => loadWorkerConfig(environment)).toThrow(/ENGINE: ENGINE=null answers every call empty \(and bills it\): it runs only with NODE_ENV=test/);
    }
  });

  it('runs the null engine in tests and benchmarks (NODE_ENV=test), and the real engines everywhere', () => {
    expect(loadWorkerConfig({ NODE_ENV: 'test', ENGINE: 'null' }).ENGINE).toBe('null');
    for (const engine of ['local', 'rekognition']) expect(loadWorkerConfig({ NODE_ENV: 'production', ENGINE: engine }).ENGINE).toBe(engine);
  });
});
