import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import sharp from 'sharp';
import Redis from 'ioredis';
import {
  type TestSystem,
  workerOf,
  TEST_DATABASE_URL,
  TEST_REDIS_URL,
  containsMarker,
  dumpPostgres,
  dumpRedis,
  fixturePath,
  markImage,
  until,
  startTestSystem,
  withMarker,
} from '@nomosly/testing';
import { callApi } from './helpers';

/**
 * P1 (image bytes never persisted), P2 (no image content or bodies in logs) and P5 (no biometric data kept):
 * images carrying unique markers go through every operation and every failure path; afterwards every
 * Redis key, stream and list, every Postgres table and every log line of both apps is searched.
 */
describe('privacy: P1, P2, P5 across every operation and failure path', () => {
  let system: TestSystem;
  const markers: Buffer[] = [];
  /** Face geometry returned to the caller: boxes and landmarks, as the strings a store would hold. */
  const geometry = new Set<string>();
  const retiredLogs: string[] = [];

  beforeAll(async () => {
    system = await startTestSystem({ label: 'privacy', deadlineMs: 5000 });
  }, 180_000);
  afterAll(() => system?.stop());

  async function marked(name: string): Promise<Buffer> {
    const { image, marker } = await withMarker(name);
    markers.push(marker);
    return image;
  }

  function collectGeometry(value: unknown): void {
    if (typeof value === 'number' && !Number.isInteger(value)) {
      const text = String(value);
      if (text.length >= 7) geometry.add(text);
    } else if (Array.isArray(value)) value.forEach(collectGeometry);
    else if (value && typeof value === 'object') Object.values(value).forEach(collectGeometry);
  }

  it('P1 P5: every operation in every input form answers, with marked images', async () => {
    const face = await marked('grace_hopper.jpg');
    const other = await marked('astronaut.png');
    const text = await marked('printed_text.png');
    for (const form of ['multipart', 'json', 'raw'] as const) {
      const detect = await callApi(system, '/v1/faces/detect', form, { image: face }, { type: 'image/jpeg' });
      expect(detect.status).toBe(200);
      collectGeometry(detect.body.faces);
      expect((await callApi(system, '/v1/labels/detect', form, { image: other })).status).toBe(200);
      expect((await callApi(system, '/v1/text/detect', form, { image: text })).status).toBe(200);
    }
    for (const form of ['multipart', 'json'] as const) {
      const compare = await callApi(system, '/v1/faces/compare', form, { source: face, target: other }, { type: 'image/jpeg' });
      expect(compare.status).toBe(200);
      collectGeometry([compare.body.sourceFace, compare.body.matches, compare.body.unmatchedFaces]);
    }
    expect(geometry.size).toBeGreaterThan(10);
  });

  it('P1: an image that only the worker finds undecodable is refused, and dropped', async () => {
    const { image, marker } = await withMarker('grace_hopper.jpg');
    markers.push(marker);
    // The header (and the marker comment) survive; the pixel data is cut short.
    const truncated = image.subarray(0, Math.floor(image.length * 0.4));
    const response = await callApi(system, '/v1/faces/detect', 'raw', { image: truncated }, { type: 'image/jpeg' });
    expect(response.status).toBe(400);
    expect((response.body.error as { code: string }).code).toBe('invalid_image');
  });

  it('P1: a client that hangs up while its job waits has the job and its image removed at once', async () => {
    // Keep the worker busy so that the second call's job is still waiting, image in Redis, when its client leaves.
    const busy = callApi(system, '/v1/text/detect', 'raw', { image: await bigMarkedImage() });
    await waitForActiveJob(system);
    const { image, marker } = await withMarker('astronaut.png');
    markers.push(marker);
    const abort = new AbortController();
    const call = callApi(system, '/v1/faces/detect', 'raw', { image }, { signal: abort.signal }).catch((e: Error) => e);
    const redis = new Redis(TEST_REDIS_URL);
    try {
      await until(async () => (await redis.llen(`${system.prefix}:vision:wait`)) === 1, { what: 'the call queued' });
      expect(containsMarker(await dumpRedis(TEST_REDIS_URL), marker)).toBe(true);
      abort.abort();
      expect(((await call) as Error).name).toBe('AbortError');
      await until(async () => (await redis.llen(`${system.prefix}:vision:wait`)) === 0, { what: 'the job removed' });
      expect(containsMarker(await dumpRedis(TEST_REDIS_URL), marker)).toBe(false);
      expect((await busy).status).toBe(200);
    } finally {
      redis.disconnect();
    }
  });

  it('P1: a worker killed in the middle of a job leaves nothing behind, and the call ends with 504', async () => {
    const big = await bigMarkedImage();
    const call = callApi(system, '/v1/text/detect', 'raw', { image: big });
    await waitForActiveJob(system);
    const killed = workerOf(system);
    await killed.kill();
    retiredLogs.push(killed.logs());
    const response = await call;
    expect(response.status).toBe(504);
    expect((response.body.error as { code: string }).code).toBe('timeout');
    system.worker = await system.startWorker();
  }, 60_000);

  it('P1: a call that times out, answered late by its worker, leaves nothing behind', async () => {
    const slow = await startTestSystem({ label: 'privacy-slow', engine: 'null', deadlineMs: 1000, workerEnv: { NULL_ENGINE_DELAY_MS: '2500' } });
    try {
      const { image, marker } = await withMarker('coffee.png');
      markers.push(marker);
      const response = await callApi(slow, '/v1/labels/detect', 'json', { image });
      expect(response.status).toBe(504);
      // The worker answers after the deadline, to nobody; then the job is removed.
      await new Promise((resolve) => setTimeout(resolve, 2000));
      await waitForQuietQueue(slow);
    } finally {
      await slow.stop();
      retiredLogs.push(slow.gateway.logs(), workerOf(slow).logs());
    }
  }, 60_000);

  it('P1 P5: no marker and no face geometry in any Redis key, stream or list', async () => {
    await waitForQuietQueue(system);
    const redis = await dumpRedis(TEST_REDIS_URL);
    for (const marker of markers) expect(containsMarker(redis, marker)).toBe(false);
    const text = redis.toString('latin1');
    for (const value of geometry) expect(text).not.toContain(value);
    const client = new Redis(TEST_REDIS_URL);
    expect(await client.keys(`${system.prefix}:vision-image:*`)).toEqual([]);
    client.disconnect();
  });

  it('P1 P5: no marker and no face geometry in any Postgres table', async () => {
    const rows = await dumpPostgres(TEST_DATABASE_URL);
    for (const marker of markers) expect(containsMarker(rows, marker)).toBe(false);
    for (const value of geometry) expect(rows).not.toContain(value);
  });

  it('P3: the API key secret, used on every call above, is in no table column, Redis value or log line', async () => {
    const secretPart = system.key.slice(12);
    const stores = [await dumpPostgres(TEST_DATABASE_URL), (await dumpRedis(TEST_REDIS_URL)).toString('latin1')];
    const logs = [system.gateway.logs(), workerOf(system).logs(), ...retiredLogs];
    for (const text of [...stores, ...logs]) {
      expect(text).not.toContain(system.key);
      expect(text).not.toContain(secretPart);
    }
    // Only the SHA-256 of the whole key is kept, next to its public prefix.
    expect(stores[0]).toContain(createHash('sha256').update(system.key).digest('hex'));
    expect(stores[0]).toContain(system.key.slice(0, 12));
  });

  it('P2 P5: no marker, no face geometry and nothing a client sent in the logs of either app', async () => {
    const logs = [system.gateway.logs(), workerOf(system).logs(), ...retiredLogs].join('\n');
    expect(logs).toContain('request completed');
    for (const marker of markers) expect(containsMarker(logs, marker)).toBe(false);
    for (const value of geometry) expect(logs).not.toContain(value);
    const allowed = new Set(['level', 'time', 'service', 'requestId', 'ip', 'method', 'path', 'status', 'latencyMs', 'keyPrefix', 'msg']);
    const requestLines = logs
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .filter((line) => line.msg === 'request completed' || line.msg === 'request failed');
    expect(requestLines.length).toBeGreaterThan(10);
    for (const line of requestLines) {
      for (const key of Object.keys(line)) expect(allowed).toContain(key);
    }
  });

  async function bigMarkedImage(): Promise<Buffer> {
    const marker = Buffer.from(`NOMOSLY-MARKER-big-${Date.now()}-${Math.random().toString(36).slice(2)}`);
    markers.push(marker);
    const text = readFileSync(fixturePath('text.png'));
    const tiles = await Promise.all(
      Array.from({ length: 9 }, async (_, i) => ({ input: text, left: (i % 3) * 448, top: Math.floor(i / 3) * 172 })),
    );
    const png = await sharp({ create: { width: 1344, height: 516, channels: 3, background: '#fff' } })
      .composite(tiles)
      .resize(2688, 1032)
      .png({ compressionLevel: 1 })
      .toBuffer();
    return markImage(png, marker, 'png');
  }
});

async function waitForActiveJob(system: TestSystem): Promise<void> {
  const redis = new Redis(TEST_REDIS_URL);
  try {
    await until(async () => (await redis.llen(`${system.prefix}:vision:active`)) > 0, { what: 'a job active', timeoutMs: 20_000 });
  } finally {
    redis.disconnect();
  }
}

/** No job waits and no image key is left: what P1 asks of every path once its call has ended. */
async function waitForQuietQueue(system: TestSystem): Promise<void> {
  const redis = new Redis(TEST_REDIS_URL);
  try {
    await until(
      async () => {
        const [wait, images] = await Promise.all([
          redis.llen(`${system.prefix}:vision:wait`),
          redis.keys(`${system.prefix}:vision-image:*`),
        ]);
        return wait + images.length === 0;
      },
      { what: `no waiting job and no image key under ${system.prefix}`, timeoutMs: 20_000, intervalMs: 50 },
    );
  } finally {
    redis.disconnect();
  }
}
