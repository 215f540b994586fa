import sharp from 'sharp';
import { type TestSystem, fixture, startTestSystem, workerOf } from '@nomosly/testing';
import { callApi, metricValue, resultOf } from './helpers';

const ALL_PATHS = ['/v1/faces/detect', '/v1/faces/compare', '/v1/labels/detect', '/v1/text/detect'];

describe.each(['local', 'rekognition'] as const)('gateway: the four operations on the %s engine', (engine) => {
  let system: TestSystem;
  beforeAll(async () => {
    system = await startTestSystem({ label: `api-${engine}`, engine });
  }, 180_000);
  afterAll(() => system?.stop());

  it.each([
    ['/v1/faces/detect', 'astronaut.png', {}],
    ['/v1/labels/detect', 'astronaut.png', { maxLabels: 5, minConfidence: 40 }],
    ['/v1/text/detect', 'printed_text.png', {}],
  ])('%s gives identical results for multipart, JSON base64 and a raw body', async (path, name, params) => {
    const image = fixture(name);
    const [multipart, json, raw] = await Promise.all(
      (['multipart', 'json', 'raw'] as const).map((form) => callApi(system, path, form, { image }, { params })),
    );
    for (const response of [multipart, json, raw]) {
      expect(response.status).toBe(200);
      expect(response.body.requestId).toBe(response.headers.get('x-request-id'));
      expect(response.body.units).toBe(1);
    }
    expect(resultOf(json.body)).toEqual(resultOf(multipart.body));
    expect(resultOf(raw.body)).toEqual(resultOf(multipart.body));
  });

  it('detects one face with ratio boxes and five landmarks', async () => {
    const { status, body } = await callApi(system, '/v1/faces/detect', 'raw', { image: fixture('grace_hopper.jpg') }, { type: 'image/jpeg' });
    expect(status).toBe(200);
    expect(body.operation).toBe('faces.detect');
    const faces = body.faces as Array<{ boundingBox: Record<string, number>; confidence: number; landmarks: Array<{ type: string; x: number; y: number }> }>;
    expect(faces).toHaveLength(1);
    for (const value of Object.values(faces[0].boundingBox)) expect(value).toBeGreaterThanOrEqual(0);
    expect(faces[0].boundingBox.left + faces[0].boundingBox.width).toBeLessThanOrEqual(1);
    expect(faces[0].confidence).toBeGreaterThan(50);
    expect(faces[0].landmarks.map((l) => l.type).sort()).toEqual(['eyeLeft', 'eyeRight', 'mouthLeft', 'mouthRight', 'nose']);
  });

  it('compares faces with multipart and JSON identically, and refuses a raw body', async () => {
    const source = fixture('grace_hopper.jpg');
    const target = await sharp(source).flop().jpeg({ quality: 90 }).toBuffer();
    const [multipart, json] = await Promise.all(
      (['multipart', 'json'] as const).map((form) => callApi(system, '/v1/faces/compare', form, { source, target }, { type: 'image/jpeg' })),
    );
    expect(multipart.status).toBe(200);
    expect(resultOf(json.body)).toEqual(resultOf(multipart.body));
    const matches = multipart.body.matches as Array<{ similarity: number }>;
    expect(matches).toHaveLength(1);
    expect(matches[0].similarity).toBeGreaterThanOrEqual(80);
    expect(multipart.body.sourceFace).not.toBeNull();

    const other = await callApi(system, '/v1/faces/compare', 'json', { source, target: fixture('astronaut.png') });
    expect(other.body.matches).toEqual([]);
    expect(other.body.unmatchedFaces).toHaveLength(1);

    const noFace = await callApi(system, '/v1/faces/compare', 'json', { source: fixture('coffee.png'), target: source });
    expect(noFace.status).toBe(200);
    expect(noFace.body).toMatchObject({ sourceFace: null, matches: [] });

    const raw = await callApi(system, '/v1/faces/compare', 'raw', { source });
    expect(raw.status).toBe(415);
    expect((raw.body.error as Record<string, string>).code).toBe('unsupported_media_type');
  });

  it('honours EXIF orientation', async () => {
    const upright = fixture('astronaut.png');
    // Pixels turned a quarter to the left, with EXIF orientation 6 saying "turn right to view".
    const turned = await sharp(upright).rotate(-90).jpeg({ quality: 95 }).withMetadata({ orientation: 6 }).toBuffer();
    const [a, b] = await Promise.all([
      callApi(system, '/v1/faces/detect', 'raw', { image: await sharp(upright).jpeg({ quality: 95 }).toBuffer() }, { type: 'image/jpeg' }),
      callApi(system, '/v1/faces/detect', 'raw', { image: turned }, { type: 'image/jpeg' }),
    ]);
    const box = (body: Record<string, unknown>) => (body.faces as Array<{ boundingBox: Record<string, number> }>)[0].boundingBox;
    expect(b.body.faces).toHaveLength(1);
    for (const side of ['left', 'top', 'width', 'height']) expect(Math.abs(box(b.body)[side] - box(a.body)[side])).toBeLessThan(0.03);
  });

  it('applies labels parameters and refuses bad ones', async () => {
    const image = fixture('astronaut.png');
    const one = await callApi(system, '/v1/labels/detect', 'json', { image }, { params: { maxLabels: 1, minConfidence: 0 } });
    expect(one.status).toBe(200);
    expect((one.body.labels as unknown[]).length).toBeLessThanOrEqual(1);
    expect((one.body.labels as Array<{ name: string }>).map((l) => l.name)).toContain('Person');
    for (const params of [{ maxLabels: 'many' }, { maxLabels: 0 }, { minConfidence: 101 }] as Array<Record<string, string | number>>) {
      const bad = await callApi(system, '/v1/labels/detect', 'json', { image }, { params });
      expect(bad.status).toBe(400);
      expect((bad.body.error as Record<string, string>).code).toBe('invalid_request');
    }
    const threshold = await callApi(system, '/v1/faces/compare', 'json', { source: image, target: image }, { params: { similarityThreshold: -1 } });
    expect(threshold.status).toBe(400);
  });

  it('reads printed text as lines and words', async () => {
    const { body } = await callApi(system, '/v1/text/detect', 'raw', { image: fixture('printed_text.png') });
    const text = body.text as Array<{ type: string; text: string; confidence: number; boundingBox: Record<string, number> }>;
    expect(text.filter((t) => t.type === 'LINE').map((t) => t.text)).toContain('Privacy first vision API');
    const words = text.filter((t) => t.type === 'WORD').map((t) => t.text);
    expect(words).toEqual(expect.arrayContaining(['Images', 'never', 'stored', '0199']));
    for (const entry of text) expect(entry.boundingBox.left + entry.boundingBox.width).toBeLessThanOrEqual(1);
    const photo = await callApi(system, '/v1/text/detect', 'raw', { image: fixture('coffee.png') });
    expect(photo.body.text).toEqual([]);
  });

  it('resolves a key from Postgres once and then from its cache', async () => {
    const key = system.createKey(['--name', 'cache-test']);
    const before = await metricValue(system.gateway.url, 'api_key_lookups_total', { source: 'database' });
    const cachedBefore = await metricValue(system.gateway.url, 'api_key_lookups_total', { source: 'cache' });
    for (let i = 0; i < 4; i++) {
      const response = await callApi(system, '/v1/labels/detect', 'raw', { image: fixture('coffee.png') }, { key });
      expect(response.status).toBe(200);
    }
    expect(await metricValue(system.gateway.url, 'api_key_lookups_total', { source: 'database' })).toBe(before + 1);
    expect(await metricValue(system.gateway.url, 'api_key_lookups_total', { source: 'cache' })).toBe(cachedBefore + 3);
  });

  it('serves an OpenAPI 3.1 document of exactly the four operations, and a rendered reference', async () => {
    const document = (await (await fetch(`${system.gateway.url}/openapi.json`)).json()) as {
      openapi: string;
      paths: Record<string, { post: { requestBody: { content: Record<string, unknown> }; responses: Record<string, unknown> } }>;
    };
    expect(document.openapi).toBe('3.1.0');
    expect(Object.keys(document.paths).sort()).toEqual([...ALL_PATHS].sort());
    expect(Object.keys(document.paths['/v1/faces/detect'].post.requestBody.content).sort()).toEqual(
      ['application/json', 'image/jpeg', 'image/png', 'multipart/form-data'],
    );
    expect(Object.keys(document.paths['/v1/faces/compare'].post.requestBody.content).sort()).toEqual(['application/json', 'multipart/form-data']);
    expect(Object.keys(document.paths['/v1/text/detect'].post.responses).sort()).toEqual(
      ['200', '400', '401', '402', '403', '408', '413', '415', '429', '500', '503', '504'],
    );
    const page = await fetch(`${system.gateway.url}/docs`);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    const start = await fetch(`${system.gateway.url}/docs/assets/start.js`);
    expect(start.status).toBe(200);
    expect(await start.text()).toContain("url: '/openapi.json'");
  });

  it('serves /docs under a Content-Security-Policy it runs under: no inline script or style, every file from itself', async () => {
    const page = await fetch(`${system.gateway.url}/docs`);
    const csp = page.headers.get('content-security-policy') ?? '';
    const directives = new Map(csp.split(';').map((part) => part.trim().split(/\s+/)).map(([name, ...values]) => [name, values]));
    expect(directives.get('script-src')).toEqual(["'self'"]);
    expect(directives.get('style-src')).toEqual(["'self'"]);
    expect(directives.get('connect-src')).toEqual(["'self'"]);
    expect(directives.get('object-src')).toEqual(["'none'"]);
    expect(page.headers.get('x-content-type-options')).toBe('nosniff');
    const html = await page.text();
    // Under script-src 'self' without a nonce or hash, a browser runs no inline script, handler or style.
    const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];
    expect(scripts.length).toBeGreaterThan(0);
    for (const [, attributes, body] of scripts) {
      expect(body.trim()).toBe('');
      expect(attributes).toMatch(/\ssrc="\/[^/]/);
    }
    expect(html).not.toMatch(/<style\b|\sstyle=|\son[a-z]+=|javascript:/i);
    // Every script and stylesheet the page names is a path on this origin that answers 200 with its type.
    const references = [...html.matchAll(/<(?:script|link)\b[^>]*\s(?:src|href)="([^"]+)"/g)].map((match) => match[1]);
    expect(references.sort()).toEqual(['/docs/assets/start.js', '/docs/assets/swagger-ui-bundle.js', '/docs/assets/swagger-ui.css']);
    for (const reference of references) {
      const asset = await fetch(new URL(reference, system.gateway.url));
      expect({ reference, status: asset.status, origin: new URL(asset.url).origin }).toEqual({ reference, status: 200, origin: system.gateway.url });
      expect(asset.headers.get('content-type')).toMatch(reference.endsWith('.css') ? /^text\/css/ : /^application\/javascript/);
    }
    // Nothing else is served from there: no other file of swagger-ui-dist, no name every object has.
    for (const name of ['package.json', 'constructor', 'toString']) {
      expect({ name, status: (await fetch(`${system.gateway.url}/docs/assets/${name}`)).status }).toEqual({ name, status: 404 });
    }
    // The start script asks for the document on this origin (connect-src 'self') and sends it to no validator.
    const start = await (await fetch(`${system.gateway.url}/docs/assets/start.js`)).text();
    expect(start).toContain("url: '/openapi.json'");
    expect(start).toContain('validatorUrl: null');
  });

  it('serves health, readiness and Prometheus metrics on both apps', async () => {
    for (const app of [system.gateway, workerOf(system)]) {
      expect((await fetch(`${app.url}/healthz`)).status).toBe(200);
      const ready = await fetch(`${app.url}/readyz`);
      expect(ready.status).toBe(200);
      expect(((await ready.json()) as { status: string }).status).toBe('ok');
    }
    const gatewayMetrics = await (await fetch(`${system.gateway.url}/metrics`)).text();
    expect(gatewayMetrics).toMatch(/http_request_duration_seconds_bucket\{.*route="\/v1\/faces\/detect"/);
    expect(gatewayMetrics).toMatch(/vision_jobs_total\{.*operation="faces.detect",outcome="ok"/);
    const workerMetrics = await (await fetch(`${workerOf(system).url}/metrics`)).text();
    expect(workerMetrics).toMatch(/vision_queue_jobs\{[^}]*state="waiting"/);
    expect(workerMetrics).toMatch(/vision_job_duration_seconds_count\{[^}]*operation="faces.detect"/);
  });
});
