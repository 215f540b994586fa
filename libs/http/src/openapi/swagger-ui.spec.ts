import { swaggerUi } from './swagger-ui';

describe('swaggerUi', () => {
  const reference = swaggerUi({ documentUrl: '/api/openapi.json', pagePath: '/api/docs', title: 'A & B' });

  it('names only its own files under the page path, with no inline script or style', () => {
    const scripts = [...reference.page.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];
    expect(scripts.map(([, attributes, body]) => ({ attributes: attributes.trim(), body }))).toEqual([
      { attributes: 'src="/api/docs/assets/swagger-ui-bundle.js"', body: '' },
      { attributes: 'src="/api/docs/assets/start.js"', body: '' },
    ]);
    expect(reference.page).toContain('<link rel="stylesheet" href="/api/docs/assets/swagger-ui.css">');
    expect(reference.page).not.toMatch(/<style\b|\sstyle=|\son[a-z]+=/i);
    expect(reference.page).toContain('<title>A &#38; B</title>');
  });

  it('starts Swagger UI on the given document, with no validator', async () => {
    const start = await reference.asset('start.js');
    expect(start?.type).toMatch(/^application\/javascript/);
    expect(start?.body.toString()).toContain("url: '/api/openapi.json'");
    expect(start?.body.toString()).toContain('validatorUrl: null');
  });

  it("serves Swagger UI's own files and no other name", async () => {
    expect((await reference.asset('swagger-ui.css'))?.body.length).toBeGreaterThan(1000);
    expect((await reference.asset('swagger-ui-bundle.js'))?.type).toMatch(/^application\/javascript/);
    for (const name of ['package.json', 'index.html', 'constructor', '../package.json']) expect(await reference.asset(name)).toBeUndefined();
  });

  it('refuses a path that would need escaping in the page or the script', () => {
    expect(() => swaggerUi({ documentUrl: "/x'+alert(1)+'", pagePath: '/docs', title: 't' })).toThrow(/plain path/);
    expect(() => swaggerUi({ documentUrl: '/openapi.json', pagePath: '/docs"><script>', title: 't' })).toThrow(/plain path/);
  });
});
