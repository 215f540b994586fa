import { configProblems } from '@nomosly/config';
import { gatewayConfigSchema, loadGatewayConfig } from '../config';
import { DEVELOPMENT_CONSOLE_ORIGINS, corsOriginsOf } from './cors-origins';

describe('GATEWAY_CORS_ORIGINS', () => {
  it('unset: the local console outside production, nobody in production', () => {
    expect(corsOriginsOf(loadGatewayConfig({ NODE_ENV: 'development' }))).toEqual(['http://127.0.0.1:3002', 'http://localhost:3002']);
    expect(corsOriginsOf(loadGatewayConfig({ NODE_ENV: 'test' }))).toEqual(DEVELOPMENT_CONSOLE_ORIGINS);
    expect(corsOriginsOf(loadGatewayConfig({ NODE_ENV: 'production' }))).toEqual([]);
  });

  it('set: exactly the listed origins, empty meaning none, in any environment', () => {
    const configured = loadGatewayConfig({ NODE_ENV: 'production', GATEWAY_CORS_ORIGINS: ' https://console.example.com, http://127.0.0.1:3002 ' });
    expect(corsOriginsOf(configured)).toEqual(['https://console.example.com', 'http://127.0.0.1:3002']);
    expect(corsOriginsOf(loadGatewayConfig({ NODE_ENV: 'development', GATEWAY_CORS_ORIGINS: '' }))).toEqual([]);
  });

  it.each(['*', 'https://console.example.com/', 'https://console.example.com/app', 'console.example.com', 'ftp://console.example.com', 'https://a.example, null'])(
    'refuses %j, naming what it expects',
    (value) => {
      const problems = configProblems(gatewayConfigSchema, { GATEWAY_CORS_ORIGINS: value });
      expect(problems).toHaveLength(1);
      expect(problems[0]).toMatch(/^GATEWAY_CORS_ORIGINS: expected empty or a comma-separated list of origins/);
    },
  );
});
