import { z } from 'zod';
import { ConfigError, baseConfigSchema, env, loadConfig, queueWorkerEnv } from './load-config';

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

describe('env.trustedProxies (TRUST_PROXY)', () => {
  const schema = z.object({ TRUST_PROXY: env.trustedProxies() });
  const parse = (value?: string) => schema.safeParse(value === undefined ? {} : { TRUST_PROXY: value });

  it('trusts nobody unless told, and takes a number of hops or a list of addresses and CIDR ranges', () => {
    expect(parse().data).toEqual({ TRUST_PROXY: false });
    expect(parse(' ').data).toEqual({ TRUST_PROXY: false });
    expect(parse('2').data).toEqual({ TRUST_PROXY: 2 });
    expect(parse('10.0.0.0/8, 127.0.0.1,::1,fd00::/8').data).toEqual({ TRUST_PROXY: ['10.0.0.0/8', '127.0.0.1', '::1', 'fd00::/8'] });
  });

  it('refuses "trust everyone" and anything that is not an address, a range or 1 to 10 hops', () => {
    for (const value of ['true', '0', '11', 'proxy.internal', '10.0.0.0/33', '::1/129', '10.0.0.1/8/1', '10.0.0.1,']) {
      expect(parse(value).success).toBe(false);
    }
  });
});

describe('env.queuePrefix (QUEUE_PREFIX)', () => {
  const schema = z.object({ QUEUE_PREFIX: env.queuePrefix() });
  const accepts = (value: string) => schema.safeParse({ QUEUE_PREFIX: value }).success;

  it('takes a plain prefix, or one whole prefix in braces as a Redis Cluster hash tag', () => {
    expect(schema.parse({}).QUEUE_PREFIX).toBe('bull');
    expect(accepts('t-bench:1_a')).toBe(true);
    expect(accepts('{nomosly}')).toBe(true);
  });

  it('refuses braces that are not the whole prefix, an empty tag and a space', () => {
    for (const value of ['{nomosly}x', 'x{nomosly}', '{a}{b}', '{}', '{no mosly}', 'no mosly', '']) expect(accepts(value)).toBe(false);
  });
});

describe('queueWorkerEnv (QUEUE_LOCK_MS, QUEUE_STALLED_CHECK_MS)', () => {
  const workerSchema = z.object(queueWorkerEnv);

  it("defaults to BullMQ's own 30 s each, and takes shorter periods (tests)", () => {
    expect(loadConfig(workerSchema, {})).toEqual({ QUEUE_LOCK_MS: 30_000, QUEUE_STALLED_CHECK_MS: 30_000 });
    expect(loadConfig(workerSchema, { QUEUE_LOCK_MS: '2000', QUEUE_STALLED_CHECK_MS: '500' })).toEqual({ QUEUE_LOCK_MS: 2_000, QUEUE_STALLED_CHECK_MS: 500 });
  });

  it('refuses a lock shorter than a second (renewed every half of it, a busy process would lose its jobs) and a check that is no number', () => {
    expect(() => loadConfig(workerSchema, { QUEUE_LOCK_MS: '500', QUEUE_STALLED_CHECK_MS: 'often' })).toThrow(/QUEUE_LOCK_MS:[\s\S]*QUEUE_STALLED_CHECK_MS:/);
  });
});
