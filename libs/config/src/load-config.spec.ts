import { z } from 'zod';
import { ConfigError, baseConfigSchema, env, loadConfig } from './load-config';

const schema = baseConfigSchema.extend({
  PORT: env.port(3000),
  REDIS_URL: env.url(['redis', 'rediss'], 'redis://127.0.0.1:6379'),
  WORKERS: env.positiveInt(2),
});

describe('loadConfig', () => {
  it('applies defaults', () => {
    const config = loadConfig(schema, {});
    expect(config).toMatchObject({ PORT: 3000, REDIS_URL: 'redis://127.0.0.1:6379', WORKERS: 2, LOG_LEVEL: 'info' });
  });

  it('names every bad variable and what it expects', () => {
    let error: unknown;
    try {
      loadConfig(schema, { PORT: 'eighty', REDIS_URL: 'http://x', LOG_PRETTY: 'maybe' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as ConfigError).message;
    expect(message).toMatch(/PORT:/);
    expect(message).toMatch(/REDIS_URL: expected a redis or rediss URL/);
    expect(message).toMatch(/LOG_PRETTY: expected true or false/);
    expect((error as ConfigError).problems).toHaveLength(3);
  });

  it('coerces numbers and booleans from strings', () => {
    const config = loadConfig(schema.extend({ FLAG: env.boolean(false) }), { PORT: '8080', FLAG: 'true' });
    expect(config.PORT).toBe(8080);
    expect(config.FLAG).toBe(true);
    expect(z.object({}).safeParse({}).success).toBe(true);
  });
});
