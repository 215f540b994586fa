import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import sharp from 'sharp';
import Redis from 'ioredis';
import { Client } from 'pg';
import { IMAGE_LIMITS, VisionKeys, requestEventSchema, usageEventSchema } from '@nomosly/contracts';
import {
  type TestSystem,
  workerOf,
  countRowsOf,
  descriptorNeedles,
  descriptorTexts,
  faceDescriptors,
  redisKeyNames,
  tableColumns,
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
  /** Face descriptors the engine computed for the compare calls, as the bytes a stored gallery would hold. */
  const descriptors: Buffer[] = [];
  const descriptorValues: string[] = [];
  /** Logs of processes no longer running: a killed worker, the systems started and stopped by one test. */
  const retiredLogs: string[] = [];
  /** Every app runs at trace, its most talkative level: P2 holds at every level. */
  const trace = { LOG_LEVEL: 'trace' };
  /** The stores before the first calls (P5): this workspace's rows per table, and every Redis key. */
  let before: { rows: Map<string, number>; keys: Set<string> };
  let ids: { workspaceId: string; userId: string; keyPrefix: string };
  const requestIds: string[] = [];

  beforeAll(async () => {
    system = await startTestSystem({ label: 'privacy', deadlineMs: 5000, gatewayEnv: trace, workerEnv: trace });
    ids = await workspaceOf(system);
    before = {
      rows: await countRowsOf(TEST_DATABASE_URL, ids.workspaceId, [ids.workspaceId, ids.userId, ids.keyPrefix]),
      keys: await redisKeyNames(TEST_REDIS_URL),
    };
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

  /** P1 on the success path: right after its 200, none of the call's image keys exists (not merely expiring). */
  async function answered(call: Promise<{ status: number; body: Record<string, unknown> }>, on: TestSystem = system) {
    const response = await call;
    expect(response.status).toBe(200);
    const requestId = response.body.requestId as string;
    expect(requestId).toEqual(expect.any(String));
    requestIds.push(requestId);
    await expectImagesGone(on, requestId);
    return response;
  }

  /** The searches below look for what the first test collected: an empty list would make a search prove nothing. */
  function expectSomethingToSearchFor(): void {
    expect(markers.length).toBeGreaterThan(0);
    expect(geometry.size).toBeGreaterThan(0);
    expect(descriptors.length).toBeGreaterThan(0);
    expect(descriptorValues.length).toBeGreaterThan(0);
  }

  it('P1 P5: every operation in every input form answers, with marked images; right after each 200 its image keys are gone', async () => {
    const face = await marked('grace_hopper.jpg');
    const other = await marked('astronaut.png');
    const text = await marked('printed_text.png');
    for (const form of ['multipart', 'json', 'raw'] as const) {
      const detect = await answered(callApi(system, '/v1/faces/detect', form, { image: face }, { type: 'image/jpeg' }));
      collectGeometry(detect.body.faces);
      await answered(callApi(system, '/v1/labels/detect', form, { image: other }));
      await answered(callApi(system, '/v1/text/detect', form, { image: text }));
    }
    for (const form of ['multipart', 'json'] as const) {
      const compare = await answered(callApi(system, '/v1/faces/compare', form, { source: face, target: other }, { type: 'image/jpeg' }));
      collectGeometry([compare.body.sourceFace, compare.body.matches, compare.body.unmatchedFaces]);
    }
    expect(geometry.size).toBeGreaterThan(10);
    // The descriptors the worker computed for these compares (the same engine on the same pixels).
    for (const descriptor of faceDescriptors(face, other)) {
      descriptors.push(...descriptorNeedles(descriptor));
      descriptorValues.push(...descriptorTexts(descriptor));
    }
    expect(descriptors.length).toBeGreaterThanOrEqual(16);
  }, 60_000);

  it('P5: the face calls added no row and no Redis key beyond the queue, the events and their listed columns', async () => {
    // The gateway adds the request and usage events before it answers; the events queue may still be settling.
    await waitForQuietQueue(system);
    const rows = await countRowsOf(TEST_DATABASE_URL, ids.workspaceId, [ids.workspaceId, ids.userId, ids.keyPrefix, ...requestIds]);
    // Only the usage app writes rows from events (none runs here, so these stay as they were too); their columns
    // are the listed ones, so a face result could not ride in them.
    const eventTables = new Set(['public.usage_records', 'public.request_log', 'public.usage_daily']);
    for (const [table, count] of rows) {
      if (!eventTables.has(table)) expect({ table, count }).toEqual({ table, count: before.rows.get(table) ?? 0 });
    }
    const columns = await tableColumns(TEST_DATABASE_URL);
    expect(columns.get('public.usage_records')).toEqual(
      ['at', 'event_id', 'key_id', 'latency_ms', 'operation', 'status', 'units', 'user_id', 'workspace_id'],
    );
    expect(columns.get('public.request_log')).toEqual(
      ['at', 'ip', 'key_prefix', 'latency_ms', 'method', 'path', 'request_id', 'status', 'workspace_id'],
    );
    expect(columns.get('public.usage_daily')).toEqual(['calls', 'day', 'key_id', 'operation', 'units', 'workspace_id']);

    // Redis: the new keys are this system's queue keys (vision, events) and its limit counters, nothing else.
    const added = [...(await redisKeyNames(TEST_REDIS_URL))].filter((key) => !before.keys.has(key));
    const ours = new RegExp(`^db0 ${system.prefix}:(vision|events|limits|auth):`);
    const strangers = added.filter((key) => !ours.test(key) && requestIds.some((id) => key.includes(id)));
    expect(strangers).toEqual([]);
    expect(added.filter((key) => key.startsWith(`db0 ${system.prefix}:`) && !ours.test(key))).toEqual([]);
    expect(added.filter((key) => ours.test(key)).length).toBeGreaterThan(0);
    // A limit counter holds a number; an event job holds its schema's fields, nothing else.
    const redis = new Redis(TEST_REDIS_URL);
    try {
      for (const key of added.filter((k) => k.startsWith(`db0 ${system.prefix}:limits:`) || k.startsWith(`db0 ${system.prefix}:auth:`))) {
        const name = key.slice(4);
        const type = await redis.type(name);
        // A counter, or the calls in flight (ids only); or gone (expired) since it was listed.
        if (type === 'string') expect(await redis.get(name)).toMatch(/^\d+$/);
        else if (type === 'zset') for (const member of await redis.zrange(name, 0, -1)) expect(member).toMatch(/^[\w-]{1,64}$/);
        else expect({ name, type }).toEqual({ name, type: 'none' });
      }
      const allowed = new Set([...Object.keys(usageEventSchema.shape), ...Object.keys(requestEventSchema.shape)]);
      for (const key of added.filter((k) => k.startsWith(`db0 ${system.prefix}:events:`))) {
        const data = await redis.hget(key.slice(4), 'data').catch(() => null);
        if (data) for (const field of Object.keys(JSON.parse(data) as object)) expect(allowed).toContain(field);
      }
    } finally {
      redis.disconnect();
    }
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
      // Searched now, while the system and its keys still exist (stop() deletes every key of its prefix).
      expect(containsMarker(await dumpRedis(TEST_REDIS_URL), marker)).toBe(false);
      expect(containsMarker(await dumpPostgres(TEST_DATABASE_URL), marker)).toBe(false);
      expect(containsMarker(slow.gateway.logs() + workerOf(slow).logs(), marker)).toBe(false);
    } finally {
      await slow.stop();
      retiredLogs.push(slow.gateway.logs(), workerOf(slow).logs());
    }
  }, 60_000);

  it('P1 P2: marked bodies the gateway itself refuses (413, 415, malformed JSON and multipart) leave nothing behind', async () => {
    const image = await marked('coffee.png');
    const marker = markers[markers.length - 1];
    const send = async (body: Buffer | string, type: string) => {
      const response = await fetch(`${system.gateway.url}/v1/labels/detect`, {
        method: 'POST',
        headers: { authorization: `Bearer ${system.key}`, 'content-type': type },
        body,
      });
      return { status: response.status, code: ((await response.json()) as { error?: { code?: string } }).error?.code };
    };
    const tooLarge = Buffer.concat([image, marker, Buffer.alloc(IMAGE_LIMITS.maxBytes + 1 - image.length - marker.length)]);
    expect(await send(tooLarge, 'image/png')).toMatchObject({ status: 413 });
    expect(await send(Buffer.concat([marker, image]), 'application/xml')).toMatchObject({ status: 415 });
    const json = `{"image": "${image.toString('base64')}", "marker": "${marker.toString('latin1')}"`;
    expect(await send(json, 'application/json')).toMatchObject({ status: 400 });
    const boundary = 'nomosly-boundary';
    // A part whose header block is not made of headers: the multipart parser refuses it.
    const multipart = Buffer.concat([
      Buffer.from(`--${boundary}\r\n${marker.toString('latin1')} is no header\r\n\r\n`),
      image,
      Buffer.from(`\r\n--${boundary}--\r\n`),
    ]);
    expect(await send(multipart, `multipart/form-data; boundary=${boundary}`)).toMatchObject({ status: 400 });
    await waitForQuietQueue(system);
    expect(containsMarker(system.gateway.logs(), marker)).toBe(false);
    expect(containsMarker(await dumpRedis(TEST_REDIS_URL), marker)).toBe(false);
  });

  it('P1 P2 P5: with the rekognition engine too, no marker, geometry or body in any store or in the logs of its three processes', async () => {
    expectSomethingToSearchFor();
    const aws = await startTestSystem({ label: 'privacy-aws', engine: 'rekognition', deadlineMs: 5000, gatewayEnv: trace, workerEnv: trace });
    try {
      const face = await marked('grace_hopper.jpg');
      const other = await marked('astronaut.png');
      const found = new Set<string>();
      const detect = await answered(callApi(aws, '/v1/faces/detect', 'json', { image: face }, { type: 'image/jpeg' }), aws);
      collectGeometry(detect.body.faces);
      const compare = await answered(callApi(aws, '/v1/faces/compare', 'multipart', { source: face, target: other }, { type: 'image/jpeg' }), aws);
      collectGeometry([compare.body.sourceFace, compare.body.matches, compare.body.unmatchedFaces]);
      await answered(callApi(aws, '/v1/labels/detect', 'raw', { image: other }), aws);
      await answered(callApi(aws, '/v1/text/detect', 'raw', { image: other }), aws);
      expect((detect.body.faces as unknown[]).length).toBeGreaterThan(0);
      await waitForQuietQueue(aws);
      const redis = await dumpRedis(TEST_REDIS_URL);
      const logs = [aws.gateway.logs(), workerOf(aws).logs(), aws.standInLogs()];
      expect(logs[2]).toContain('rekognition-local http://');
      for (const text of [redis.toString('latin1'), ...logs]) {
        for (const marker of markers) if (containsMarker(text, marker)) found.add(marker.toString());
        for (const value of geometry) if (text.includes(value)) found.add(value);
      }
      expect([...found]).toEqual([]);
    } finally {
      await aws.stop();
      retiredLogs.push(aws.gateway.logs(), workerOf(aws).logs(), aws.standInLogs());
    }
    // It starts a system of its own (gateway, worker, stand-in), as beforeAll does.
  }, 180_000);

  it('P1 P5: no marker and no face geometry in any Redis key, stream or list', async () => {
    expectSomethingToSearchFor();
    await waitForQuietQueue(system);
    const redis = await dumpRedis(TEST_REDIS_URL);
    for (const marker of markers) expect(containsMarker(redis, marker)).toBe(false);
    const text = redis.toString('latin1');
    for (const value of geometry) expect(text).not.toContain(value);
    for (const descriptor of descriptors) expect(containsMarker(redis, descriptor)).toBe(false);
    for (const value of descriptorValues) expect(text).not.toContain(value);
    const client = new Redis(TEST_REDIS_URL);
    expect(await client.keys(`${system.prefix}:vision-image:*`)).toEqual([]);
    client.disconnect();
  });

  it('P1 P5: no marker and no face geometry in any Postgres table', async () => {
    expectSomethingToSearchFor();
    const rows = await dumpPostgres(TEST_DATABASE_URL);
    for (const marker of markers) expect(containsMarker(rows, marker)).toBe(false);
    for (const value of geometry) expect(rows).not.toContain(value);
    for (const descriptor of descriptors) expect(containsMarker(rows, descriptor)).toBe(false);
    for (const value of descriptorValues) expect(rows).not.toContain(value);
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

  it('P2 P5: no marker, no face geometry and nothing a client sent in the logs of any app, each captured at trace', async () => {
    expectSomethingToSearchFor();
    const captured = [system.gateway.logs(), workerOf(system).logs(), ...retiredLogs];
    // Each app's log was captured from its start (an empty log would pass every search below): the rekognition
    // stand-in prints its address, every other app the line Nest logs when it has started.
    for (const log of captured) {
      if (!log.startsWith('rekognition-local ')) expect(log).toMatch(/^\{.*"msg":"Nest application successfully started"\}$/m);
    }
    expect(captured.filter((log) => log.startsWith('rekognition-local http://'))).toHaveLength(1);
    const logs = captured.join('\n');
    expect(logs).toContain('request completed');
    for (const marker of markers) expect(containsMarker(logs, marker)).toBe(false);
    for (const value of geometry) expect(logs).not.toContain(value);
    for (const descriptor of descriptors) expect(containsMarker(logs, descriptor)).toBe(false);
    for (const value of descriptorValues) expect(logs).not.toContain(value);
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

/** The test system's workspace, its user and its key's public prefix: what its rows are found by. */
async function workspaceOf(system: TestSystem): Promise<{ workspaceId: string; userId: string; keyPrefix: string }> {
  const client = new Client({ connectionString: TEST_DATABASE_URL });
  await client.connect();
  try {
    const keyPrefix = system.key.slice(0, 12);
    const { rows } = await client.query<{ workspace_id: string; created_by_id: string }>(
      'select workspace_id, created_by_id from api_keys where prefix = $1',
      [keyPrefix],
    );
    expect(rows).toHaveLength(1);
    return { workspaceId: rows[0].workspace_id, userId: rows[0].created_by_id, keyPrefix };
  } finally {
    await client.end();
  }
}

/** None of a call's image keys exists: the exact keys of its (at most two) images, and any under its request id. */
async function expectImagesGone(system: TestSystem, requestId: string): Promise<void> {
  const redis = new Redis(TEST_REDIS_URL);
  try {
    expect(await redis.exists(VisionKeys.image(system.prefix, requestId, 0), VisionKeys.image(system.prefix, requestId, 1))).toBe(0);
    expect(await redis.keys(`${system.prefix}:vision-image:${requestId}*`)).toEqual([]);
  } finally {
    redis.disconnect();
  }
}

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
