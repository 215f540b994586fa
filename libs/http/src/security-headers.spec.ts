import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createFastifyAdapter } from './fastify-app';
import { registerSecurityHeaders, securityHeaders } from './security-headers';

describe('security headers, worked out once', () => {
  const adapter = createFastifyAdapter({ bodyLimit: 1024 });
  const fastify = adapter.getInstance();
  beforeAll(async () => {
    await registerSecurityHeaders({ getHttpAdapter: () => adapter } as unknown as NestFastifyApplication, {
      connectOrigins: ['https://idp.example.com/some/path'],
    });
    fastify.get('/ok', async () => ({ ok: true }));
    fastify.get('/fails', async () => {
      throw new Error('boom');
    });
    await fastify.ready();
  });
  afterAll(() => fastify.close());

  it('every answer carries them, an error and a 404 included', async () => {
    for (const url of ['/ok', '/fails', '/nowhere']) {
      const { headers } = await fastify.inject({ method: 'GET', url });
      expect(headers['content-security-policy']).toContain("default-src 'self'");
      expect(headers['content-security-policy']).toContain("frame-ancestors 'none'");
      expect(headers['content-security-policy']).toContain("connect-src 'self' https://idp.example.com;");
      expect(headers['x-frame-options']).toBe('DENY');
      expect(headers['x-content-type-options']).toBe('nosniff');
      expect(headers['referrer-policy']).toBe('no-referrer');
      expect(headers['strict-transport-security']).toMatch(/max-age=\d+/);
      expect(headers['cross-origin-resource-policy']).toBe('same-origin');
      expect(headers['x-powered-by']).toBeUndefined();
    }
  });

  it('the set is the one helmet sends, X-Powered-By removed, blob: images only when asked for', () => {
    const plain = securityHeaders();
    const names = plain.set.map(([name]) => name.toLowerCase());
    expect(names).toEqual(expect.arrayContaining(['content-security-policy', 'strict-transport-security', 'x-frame-options']));
    expect(plain.removed.map((name) => name.toLowerCase())).toEqual(['x-powered-by']);
    const csp = (headers: ReturnType<typeof securityHeaders>) => headers.set.find(([name]) => name === 'Content-Security-Policy')?.[1];
    expect(csp(plain)).toContain("img-src 'self' data:;");
    expect(csp(securityHeaders({ blobImages: true }))).toContain("img-src 'self' data: blob:;");
  });
});
