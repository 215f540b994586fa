import { randomBytes } from 'node:crypto';
import { request } from 'node:http';
import { Queue } from 'bullmq';
import Redis from 'ioredis';
import { Client } from 'pg';
import { hashApiKey } from '@nomosly/api-keys';
import { EventName, QueueName, eventJobId, requestEventSchema, usageEventSchema } from '@nomosly/contracts';
import { LimitsStore, limitsPrefix } from '@nomosly/limits';
import { type TestSystem, TEST_DATABASE_URL, TEST_REDIS_URL, createKeyWithCli, fixture, startApp, startTestSystem, until } from '@nomosly/testing';
import { callApi } from './helpers';

const PLANS = JSON.stringify({
  free: { rateLimitPerSecond: 100_000, monthlyUnitQuota: 1_000_000_000, centsPerThousandUnits: 0 },
  one: { rateLimitPerSecond: 1_000, monthlyUnitQuota: 1, centsPerThousandUnits: 0 },
});

/** P2's fields, and the workspace of a recognised key: a request event carries these and nothing else. */
const REQUEST_EVENT_FIELDS = ['at', 'ip', 'keyPrefix', 'latencyMs', 'method', 'path', 'requestId', 'status', 'workspaceId'];

/**
 * P4 and P2 at the gateway: what it queues on the events queue (no consumer runs here, so every job stays
 * where the gateway put it). A usage event for every 2xx and for nothing else; a request event for every call.
 */
describe('gateway usage and request events (P4, P2)', () => {
  let system: TestSystem;
  let db: Client;
  let redis: Redis;
  let events: Queue;
  let limits: LimitsStore;

  beforeAll(async () => {
    system = await startTestSystem({ label: 'usage-events', engine: 'null', gatewayEnv: { PLANS } });
    db = new Client({ connectionString: TEST_DATABASE_URL });
    await db.connect();
    redis = new Redis(TEST_REDIS_URL);
    events = new Queue(QueueName.Events, { connection: redis, prefix: system.prefix });
    limits = new LimitsStore(redis, { prefix: limitsPrefix(system.prefix) });
  }, 180_000);
  afterAll(async () => {
    await events?.close();
    await db?.end();
    redis?.disconnect();
    await system?.stop();
  });

  /** A key in a workspace of its own. */
  async function workspaceKey(extra: string[] = [], plan = 'free') {
    const key = createKeyWithCli(TEST_DATABASE_URL, `usage-events-${randomBytes(4).toString('hex')}@test.nomosly.local`, extra);
    const { rows } = await db.query<{ id: string; workspace_id: string; created_by_id: string }>(
      'select id, workspace_id, created_by_id from api_keys where hash = $1',
      [hashApiKey(key)],
    );
    await db.query('update workspaces set plan = $1 where id = $2', [plan, rows[0].workspace_id]);
    return { key, keyId: rows[0].id, workspaceId: rows[0].workspace_id, userId: rows[0].created_by_id };
  }

  const detect = (key: string, image = fixture('astronaut.png')) => callApi(system, '/v1/faces/detect', 'raw', { image }, { key });
  const requestIdOf = (response: { headers: Headers }) => response.headers.get('x-request-id') ?? '';
  const usageJob = (requestId: string) => events.getJob(eventJobId(EventName.Usage, requestId));
  const requestJob = (requestId: string) => events.getJob(eventJobId(EventName.Request, requestId));
  async function usageJobsOf(workspaceId: string) {
    const jobs = await events.getJobs(['waiting']);
    return jobs.filter((job) => job.name === EventName.Usage && job.data.workspaceId === workspaceId);
  }
  async function queuedRequestEvent(requestId: string) {
    await until(async () => (await requestJob(requestId)) !== undefined, { what: `the request event of ${requestId}` });
    const job = await requestJob(requestId);
    if (!job) throw new Error('unreachable');
    expect(job.name).toBe(EventName.Request);
    expect(Object.keys(job.data).sort()).toEqual(REQUEST_EVENT_FIELDS);
    return requestEventSchema.parse(job.data);
  }

  it('P2 P4: a client that hangs up mid-upload still gets its request-log event (499), and no usage event', async () => {
    const { key, workspaceId } = await workspaceKey();
    const url = new URL(`${system.gateway.url}/v1/faces/detect`);
    const upload = request({
      host: url.hostname,
      port: url.port,
      path: url.pathname,
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'image/png', 'content-length': String(1024 * 1024) },
    });
    upload.on('error', () => undefined);
    upload.write(fixture('astronaut.png').subarray(0, 4096));
    // Admitted (the key checked and its unit taken) before the body is read; then the client is gone.
    await until(async () => (await limits.unitsThisMonth(workspaceId)) === 1, { what: 'the call admitted' });
    upload.destroy();
    const logged = async () => (await events.getJobs(['waiting'])).filter((job) => job.name === EventName.Request && job.data.workspaceId === workspaceId);
    await until(async () => (await logged()).length === 1, { what: 'the request event of the abandoned upload' });
    const [job] = await logged();
    expect(requestEventSchema.parse(job.data)).toMatchObject({ status: 499, method: 'POST', path: '/v1/faces/detect', workspaceId });
    expect(await usageJobsOf(workspaceId)).toEqual([]);
    await until(async () => (await limits.unitsThisMonth(workspaceId)) === 0, { what: 'the unit given back' });
  });

  it('P4: N successful calls queue exactly N usage events, under their x-request-id, before the answer arrives', async () => {
    const { key, keyId, workspaceId, userId } = await workspaceKey();
    const calls = [
      () => callApi(system, '/v1/faces/detect', 'raw', { image: fixture('astronaut.png') }, { key }),
      () => callApi(system, '/v1/labels/detect', 'json', { image: fixture('coffee.png') }, { key }),
      () => callApi(system, '/v1/text/detect', 'multipart', { image: fixture('text.png') }, { key }),
      () => callApi(system, '/v1/faces/compare', 'json', { source: fixture('astronaut.png'), target: fixture('chelsea.png') }, { key }),
      () => callApi(system, '/v1/faces/detect', 'json', { image: fixture('grace_hopper.jpg') }, { key }),
    ];
    const responses = await Promise.all(calls.map((send) => send()));
    expect(responses.map((response) => response.status)).toEqual([200, 200, 200, 200, 200]);

    // Queued before the response was sent: no waiting needed.
    const jobs = await usageJobsOf(workspaceId);
    expect(jobs.map((job) => job.id).sort()).toEqual(responses.map((response) => eventJobId(EventName.Usage, requestIdOf(response))).sort());
    for (const response of responses) {
      const job = await usageJob(requestIdOf(response));
      expect(job?.opts.removeOnComplete).toBe(true);
      expect(usageEventSchema.parse(job?.data)).toEqual({
        eventId: requestIdOf(response),
        workspaceId,
        userId,
        keyId,
        operation: response.body.operation,
        units: response.body.units,
        status: 200,
        latencyMs: expect.any(Number),
        at: expect.any(String),
      });
    }
    for (const response of responses) {
      expect(await queuedRequestEvent(requestIdOf(response))).toMatchObject({ workspaceId, status: 200, method: 'POST', keyPrefix: key.slice(0, 12) });
    }
  });

  it('P4 P2: refused calls (401, 403, 400, 429) queue no usage event, and one request event each with P2\'s fields only', async () => {
    const { key, workspaceId } = await workspaceKey([], 'one');
    const labelsOnly = await workspaceKey(['--scopes', 'labels:detect']);
    const secretPart = (secret: string) => secret.slice(12);

    const missing = await fetch(`${system.gateway.url}/v1/faces/detect?name=secret-query`, { method: 'POST', body: fixture('astronaut.png'), headers: { 'content-type': 'image/png' } });
    const scope = await detect(labelsOnly.key);
    const badImage = await detect(key, Buffer.from('not an image: marker-7f3a9c'));
    const admitted = await detect(key);
    const overQuota = await detect(key);
    const refused = [
      { response: missing, status: 401, workspaceId: null, keyPrefix: null },
      { response: scope, status: 403, workspaceId: labelsOnly.workspaceId, keyPrefix: labelsOnly.key.slice(0, 12) },
      { response: badImage, status: 400, workspaceId, keyPrefix: key.slice(0, 12) },
      { response: overQuota, status: 429, workspaceId, keyPrefix: key.slice(0, 12) },
    ];
    expect(refused.map(({ response }) => response.status)).toEqual([401, 403, 400, 429]);
    expect(admitted.status).toBe(200);

    for (const expected of refused) {
      const requestId = requestIdOf(expected.response);
      expect(await usageJob(requestId)).toBeUndefined();
      const event = await queuedRequestEvent(requestId);
      expect(event).toEqual({
        requestId,
        workspaceId: expected.workspaceId,
        at: expect.any(String),
        ip: '127.0.0.1',
        method: 'POST',
        path: '/v1/faces/detect',
        status: expected.status,
        latencyMs: expect.any(Number),
        keyPrefix: expected.keyPrefix,
      });
      const stored = JSON.stringify(await requestJob(requestId));
      for (const content of ['marker-7f3a9c', 'secret-query', secretPart(key), secretPart(labelsOnly.key), 'image/png']) {
        expect({ requestId, content, found: stored.includes(content) }).toEqual({ requestId, content, found: false });
      }
    }
    // The one admitted call is the workspace's only usage.
    expect((await usageJobsOf(workspaceId)).map((job) => job.data.eventId)).toEqual([requestIdOf(admitted)]);
    expect(await usageJobsOf(labelsOnly.workspaceId)).toEqual([]);
  });

  it('P4: when the usage event cannot be queued, the client gets 503 unavailable (never the 200) and its unit back', async () => {
    const { key, workspaceId } = await workspaceKey();
    const meta = `${system.prefix}:${QueueName.Events}:meta`;
    // BullMQ's add reads the queue's meta hash: a value of another type there makes every add fail, while the
    // limits (other keys on the same Redis) keep working, so only the event is missing.
    await until(async () => (await redis.type(meta)) === 'hash', { what: 'the events queue initialised' });
    const saved = await redis.hgetall(meta);
    await redis.set(meta, 'not a hash');
    let refused: Awaited<ReturnType<typeof detect>>;
    try {
      refused = await detect(key);
    } finally {
      await redis.del(meta);
      await redis.hset(meta, saved);
    }
    expect(refused.status).toBe(503);
    expect((refused.body.error as { code: string }).code).toBe('unavailable');
    expect(refused.body).not.toHaveProperty('faces');
    expect(refused.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(await usageJob(requestIdOf(refused))).toBeUndefined();
    expect(await limits.unitsThisMonth(workspaceId)).toBe(0);

    const next = await detect(key);
    expect(next.status).toBe(200);
    expect((await usageJobsOf(workspaceId)).map((job) => job.data.eventId)).toEqual([requestIdOf(next)]);
  });

  it('P4: with the events Redis unreachable, a call is answered 503 unavailable, never 2xx', async () => {
    const gateway = await startApp('gateway', { ...system.env, PLANS, EVENTS_REDIS_URL: 'redis://127.0.0.1:1' }, { waitFor: '/healthz' });
    try {
      const response = await callApi({ ...system, gateway }, '/v1/faces/detect', 'raw', { image: fixture('astronaut.png') });
      expect(response.status).toBe(503);
      expect((response.body.error as { code: string }).code).toBe('unavailable');
      expect(response.headers.get('retry-after')).toMatch(/^\d+$/);
    } finally {
      await gateway.stop();
    }
  }, 60_000);
});
