import sharp from 'sharp';
import net from 'node:net';
import Redis from 'ioredis';
import { type TestSystem, createKeyWithCli, fixture, until, startApp, startTestSystem, TEST_DATABASE_URL } from '@nomosly/testing';
import { callApi } from './helpers';

const errorOf = (body: Record<string, unknown>) => body.error as { code: string; message: string; requestId: string };

describe('gateway: the error table of API.md', () => {
  let system: TestSystem;
  beforeAll(async () => {
    system = await startTestSystem({ label: 'errors', engine: 'null' });
  }, 180_000);
  afterAll(() => system?.stop());

  const post = (path: string, init: RequestInit = {}) =>
    fetch(`${system.gateway.url}${path}`, { method: 'POST', ...init, headers: { authorization: `Bearer ${system.key}`, ...init.headers } });

  async function expectError(response: Response, status: number, code: string) {
    const body = (await response.json()) as Record<string, unknown>;
    expect({ status: response.status, code: errorOf(body)?.code }).toEqual({ status, code });
    expect(errorOf(body).requestId).toBe(response.headers.get('x-request-id'));
    expect(errorOf(body).message).not.toMatch(/\n\s+at |node_modules|Error:/);
    return errorOf(body);
  }

  it('401 when the key is missing, with a message that says missing', async () => {
    const response = await fetch(`${system.gateway.url}/v1/faces/detect`, { method: 'POST', headers: { 'content-type': 'image/png' }, body: fixture('astronaut.png') });
    expect((await expectError(response, 401, 'unauthenticated')).message).toMatch(/missing/);
  });

  it('checks the key before reading the body: 401, not 413, for a large upload without a key', async () => {
    const big = Buffer.concat([fixture('astronaut.png'), Buffer.alloc(6 * 1024 * 1024)]);
    const response = await fetch(`${system.gateway.url}/v1/faces/detect`, { method: 'POST', headers: { 'content-type': 'image/png' }, body: big });
    await expectError(response, 401, 'unauthenticated');
  });

  it('401 when the key is unknown or malformed, with a message that says invalid', async () => {
    for (const key of ['nk_live_' + 'A'.repeat(32), 'not-a-key']) {
      const response = await fetch(`${system.gateway.url}/v1/faces/detect`, {
        method: 'POST',
        headers: { 'x-api-key': key, 'content-type': 'image/png' },
        body: fixture('astronaut.png'),
      });
      expect((await expectError(response, 401, 'unauthenticated')).message).toMatch(/invalid/);
    }
  });

  it('403 when the key lacks the scope, with the RateLimit-* headers of every authenticated answer', async () => {
    const key = system.createKey(['--scopes', 'text:detect']);
    const denied = await callApi(system, '/v1/faces/detect', 'raw', { image: fixture('astronaut.png') }, { key });
    expect(denied.status).toBe(403);
    expect(errorOf(denied.body).code).toBe('insufficient_scope');
    for (const header of ['ratelimit-limit', 'ratelimit-remaining', 'ratelimit-reset']) expect(denied.headers.get(header)).toMatch(/^\d+$/);
    const allowed = await callApi(system, '/v1/text/detect', 'raw', { image: fixture('text.png') }, { key });
    expect(allowed.status).toBe(200);
  });

  it('400 invalid_request for malformed JSON, missing fields and bad base64', async () => {
    await expectError(await post('/v1/faces/detect', { headers: { 'content-type': 'application/json' }, body: '{"image": ' }), 400, 'invalid_request');
    await expectError(await post('/v1/faces/detect', { headers: { 'content-type': 'application/json' }, body: '{}' }), 400, 'invalid_request');
    await expectError(await post('/v1/faces/detect', { headers: { 'content-type': 'application/json' }, body: '[1,2]' }), 400, 'invalid_request');
    await expectError(await post('/v1/faces/detect', { headers: { 'content-type': 'application/json' }, body: '{"image": "@@@not base64@@@"}' }), 400, 'invalid_request');
    await expectError(await post('/v1/faces/detect', { headers: { 'content-type': 'application/json' }, body: '{"image": 42}' }), 400, 'invalid_request');
    const onlySource = await callApi(system, '/v1/faces/compare', 'multipart', { source: fixture('astronaut.png') });
    expect(errorOf(onlySource.body).code).toBe('invalid_request');
    const form = new FormData();
    form.append('picture', new Blob([fixture('astronaut.png')]), 'a.png');
    await expectError(await post('/v1/faces/detect', { body: form }), 400, 'invalid_request');
  });

  it('400 invalid_request for JSON nested deeper than 64 levels: 60 KB of "[", or {"a":{"a":...}}', async () => {
    // 60 KB each (the console takes bodies up to 64 KB).
    const arrays = '['.repeat(30 * 1024) + ']'.repeat(30 * 1024);
    const objects = '{"image":' + '{"a":'.repeat(10_000) + '1' + '}'.repeat(10_001);
    for (const body of [arrays, objects]) {
      const error = await expectError(await post('/v1/faces/detect', { headers: { 'content-type': 'application/json' }, body }), 400, 'invalid_request');
      expect(error.message).toMatch(/64 levels/);
    }
  });

  it('400 invalid_image for bytes that are not an image, and for images under 80 x 80', async () => {
    await expectError(await post('/v1/faces/detect', { headers: { 'content-type': 'image/jpeg' }, body: Buffer.from('definitely not a jpeg') }), 400, 'invalid_image');
    const tiny = await sharp(fixture('astronaut.png')).resize(79, 200, { fit: 'fill' }).png().toBuffer();
    expect((await expectError(await post('/v1/faces/detect', { headers: { 'content-type': 'image/png' }, body: tiny }), 400, 'invalid_image')).message).toMatch(/80 x 80/);
    // A body whose header is sound but whose pixels are cut short is refused by the engine that decodes it:
    // see the privacy spec, which runs the local engine.
  });

  it('413 for images over 5 MiB (each form) or over 4096 px', async () => {
    const big = Buffer.concat([fixture('astronaut.png'), Buffer.alloc(5 * 1024 * 1024)]);
    await expectError(await post('/v1/faces/detect', { headers: { 'content-type': 'image/png' }, body: big }), 413, 'image_too_large');
    const json = await callApi(system, '/v1/faces/detect', 'json', { image: big });
    expect([json.status, errorOf(json.body).code]).toEqual([413, 'image_too_large']);
    const multipart = await callApi(system, '/v1/faces/detect', 'multipart', { image: big });
    expect([multipart.status, errorOf(multipart.body).code]).toEqual([413, 'image_too_large']);
    const wide = await sharp({ create: { width: 4097, height: 100, channels: 3, background: '#888' } }).png().toBuffer();
    await expectError(await post('/v1/faces/detect', { headers: { 'content-type': 'image/png' }, body: wide }), 413, 'image_too_large');
  });

  it('415 for other content types and other image formats', async () => {
    await expectError(await post('/v1/faces/detect', { headers: { 'content-type': 'text/plain' }, body: 'hello' }), 415, 'unsupported_media_type');
    await expectError(await post('/v1/faces/detect', { headers: { 'content-type': 'image/gif' }, body: Buffer.from('GIF89a') }), 415, 'unsupported_media_type');
    const webp = await sharp(fixture('astronaut.png')).webp().toBuffer();
    await expectError(await post('/v1/faces/detect', { headers: { 'content-type': 'image/png' }, body: webp }), 415, 'unsupported_media_type');
    const json = await callApi(system, '/v1/faces/detect', 'json', { image: webp });
    expect(errorOf(json.body).code).toBe('unsupported_media_type');
  });

  it('400 for malformed forms, and the connection is not left hanging', async () => {
    const noBoundary = await post('/v1/faces/detect', { headers: { 'content-type': 'multipart/form-data' }, body: 'abc' });
    await expectError(noBoundary, 400, 'invalid_request');
    const big = Buffer.concat([fixture('astronaut.png'), Buffer.alloc(3 * 1024 * 1024)]);
    const twice = new FormData();
    twice.append('image', new Blob([big]), 'a.png');
    twice.append('image', new Blob([big]), 'b.png');
    expect((await expectError(await post('/v1/faces/detect', { body: twice }), 400, 'invalid_request')).message).toMatch(/twice/);
    const fields = new FormData();
    for (let i = 0; i < 11; i++) fields.append(`field${i}`, 'x');
    fields.append('image', new Blob([fixture('astronaut.png')]), 'a.png');
    await expectError(await post('/v1/faces/detect', { body: fields }), 400, 'invalid_request');
    const truncated = await rawHttp(
      system.gateway.port,
      `POST /v1/faces/detect HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${system.key}\r\n` +
        'Content-Type: multipart/form-data; boundary=XyZ\r\nContent-Length: 60\r\n\r\n--XyZ\r\nContent-Disposition: form-data; name="image"; filename="a.png"\r\n\r\nabc',
      true,
    );
    expect(truncated).not.toMatch(/^HTTP\/1.1 500/);
  });

  it('400 with the error body and a request id for requests that are not valid HTTP', async () => {
    const response = await rawHttp(system.gateway.port, 'POST /v1/faces/detect HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n');
    expect(response).toMatch(/^HTTP\/1.1 400/);
    expect(response).toMatch(/x-request-id: [0-9a-f-]{36}/);
    expect(response).toContain('"code":"invalid_request"');
  });

  it('matches content types whatever their case', async () => {
    const response = await post('/v1/faces/detect', { headers: { 'content-type': 'IMAGE/PNG' }, body: fixture('astronaut.png') });
    expect(response.status).toBe(200);
  });

  it('404 with the same error body for unknown routes, and x-request-id on every response', async () => {
    const response = await post('/v1/faces/nothing');
    await expectError(response, 404, 'not_found');
    const ids = new Set<string>();
    for (const path of ['/healthz', '/metrics', '/openapi.json', '/nope']) {
      const id = (await fetch(`${system.gateway.url}${path}`)).headers.get('x-request-id');
      expect(id).toMatch(/^[0-9a-f-]{36}$/);
      ids.add(String(id));
    }
    expect(ids.size).toBe(4);
  });

  it('ignores a client-sent x-request-id', async () => {
    const response = await fetch(`${system.gateway.url}/healthz`, { headers: { 'x-request-id': 'client-chosen' } });
    expect(response.headers.get('x-request-id')).not.toBe('client-chosen');
  });
});

describe('gateway: when the vision side cannot answer', () => {
  it('504 timeout at the deadline when the worker does not answer in time, leaving nothing in Redis', async () => {
    const system = await startTestSystem({
      label: 'timeout',
      engine: 'null',
      deadlineMs: 1500,
      workerEnv: { NULL_ENGINE_DELAY_MS: '4000' },
    });
    try {
      const started = Date.now();
      const response = await callApi(system, '/v1/faces/detect', 'raw', { image: fixture('astronaut.png') });
      expect(response.status).toBe(504);
      expect(errorOf(response.body).code).toBe('timeout');
      expect(Date.now() - started).toBeGreaterThanOrEqual(1400);
      const redis = new Redis(system.env.VISION_REDIS_URL);
      try {
        // The worker took the image at once (GETDEL); it still holds the job, and answers to nobody at 4 s.
        expect(await redis.keys(`${system.prefix}:vision-image:*`)).toEqual([]);
        await until(async () => (await redis.exists(`${system.prefix}:vision:${errorOf(response.body).requestId}`)) === 0, {
          what: 'the late job removed',
        });
      } finally {
        redis.disconnect();
      }
    } finally {
      await system.stop();
    }
  }, 120_000);

  it('503 unavailable with Retry-After, at once, when no vision worker is running', async () => {
    // The null engine: the worker started at the end proves the gateway takes it up, in well under the short
    // deadline even on a loaded machine (the local engine's first call could take longer).
    const system = await startTestSystem({ label: 'no-worker', engine: 'null', withoutWorker: true, deadlineMs: 1000 });
    try {
      // Until the gateway has counted the workers once (within a second of start), a call waits its deadline.
      const detect = () => callApi(system, '/v1/faces/detect', 'raw', { image: fixture('astronaut.png') });
      let response = await detect();
      for (let i = 0; i < 5 && response.status === 504; i++) response = await detect();
      expect(response.status).toBe(503);
      expect(response.headers.get('retry-after')).toMatch(/^\d+$/);
      expect(errorOf(response.body)).toMatchObject({ code: 'unavailable', message: expect.stringMatching(/worker/) });
      // A call that waited for a worker would have ended at the 1 s deadline as 504: a 503 was refused up front.

      const worker = await system.startWorker();
      try {
        expect((await callApi(system, '/v1/faces/detect', 'raw', { image: fixture('astronaut.png') })).status).toBe(200);
      } finally {
        await worker.stop();
      }
    } finally {
      await system.stop();
    }
  }, 120_000);

  it('503 unavailable with Retry-After when the vision Redis is down, and /readyz says so', async () => {
    const gateway = await startApp(
      'gateway',
      { DATABASE_URL: TEST_DATABASE_URL, VISION_REDIS_URL: 'redis://127.0.0.1:1', QUEUE_PREFIX: 'down' },
      { waitFor: '/healthz' },
    );
    try {
      const ready = await fetch(`${gateway.url}/readyz`);
      expect(ready.status).toBe(503);
      const key = createKeyWithCli(TEST_DATABASE_URL, `redis-down-${Date.now()}@test.nomosly.local`);
      const response = await fetch(`${gateway.url}/v1/faces/detect`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'image/png' },
        body: fixture('astronaut.png'),
      });
      expect(response.status).toBe(503);
      expect(response.headers.get('retry-after')).toMatch(/^\d+$/);
      expect(errorOf((await response.json()) as Record<string, unknown>).code).toBe('unavailable');
    } finally {
      await gateway.stop();
    }
  }, 120_000);
});

/** Sends raw bytes over a socket and returns what came back (optionally closing our side after sending). */
function rawHttp(port: number, request: string, endAfterSend = false): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => {
      socket.write(request);
      if (endAfterSend) socket.end();
    });
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('close', () => resolve(Buffer.concat(chunks).toString('utf8')));
    socket.on('error', reject);
    socket.setTimeout(10_000, () => socket.destroy());
  });
}
