import type { Queue } from 'bullmq';
import sharp from 'sharp';
import { EventName, OPERATIONS, OPERATION_SPECS } from '@nomosly/contracts';
import { type TestSystem, eventsQueue, startTestSystem, workerOf } from '@nomosly/testing';
import { CORS_EXPOSED_HEADERS } from '../src/cors/cors';
import { metricTotal } from './helpers';
import { type RawResponse, rawRequest } from './raw-http';

const CONSOLE = 'http://console.test:3002';
const ELSEWHERE = 'https://evil.example';
/** Two calls a second: a burst of preflights would be refused if they were counted as calls. */
const PLANS = JSON.stringify({ free: { rateLimitPerSecond: 2, workspaceRequestsPerSecond: 4, monthlyUnitQuota: 1_000_000, centsPerThousandUnits: 0 } });

const preflightHeaders = (origin: string) => ({
  origin,
  'access-control-request-method': 'POST',
  'access-control-request-headers': 'authorization,content-type',
});

const corsHeadersOf = (answer: RawResponse) =>
  Object.fromEntries(Object.entries(answer.headers).filter(([name]) => name.startsWith('access-control-')));

describe('gateway: CORS for the web console playground (GATEWAY_CORS_ORIGINS)', () => {
  let system: TestSystem;
  let events: Queue;
  let body: Buffer;

  beforeAll(async () => {
    system = await startTestSystem({ label: 'cors', engine: 'null', gatewayEnv: { GATEWAY_CORS_ORIGINS: `${CONSOLE}, http://other.test`, PLANS } });
    events = eventsQueue(system.prefix);
    const image = await sharp({ create: { width: 96, height: 96, channels: 3, background: '#7a9' } }).png().toBuffer();
    body = Buffer.from(JSON.stringify({ image: image.toString('base64') }));
  }, 180_000);
  afterAll(async () => {
    await events?.close();
    await system?.stop();
  });

  const preflight = (path: string, origin: string) => rawRequest(system.gateway.port, `OPTIONS ${path} HTTP/1.1`, preflightHeaders(origin));
  const call = (path: string, headers: Record<string, string>) =>
    rawRequest(system.gateway.port, `POST ${path} HTTP/1.1`, { 'content-type': 'application/json', ...headers }, body);
  const usageEventsQueued = async () => (await events.getJobs(['waiting', 'active', 'completed', 'failed', 'delayed'])).filter((job) => job.name === EventName.Usage).length;

  it('answers an allowed origin\'s preflight for every operation, and for every spelling the router takes as that route', async () => {
    const paths = [...OPERATIONS.map((op) => OPERATION_SPECS[op].path), '/v1/labels/detec%74', '/%76%31/text/detect', 'http://x/v1/faces/compare'];
    for (const path of paths) {
      const answer = await preflight(path, CONSOLE);
      expect({ path, status: answer.status, cors: corsHeadersOf(answer) }).toEqual({
        path,
        status: 204,
        cors: {
          'access-control-allow-origin': CONSOLE,
          'access-control-allow-methods': 'POST',
          'access-control-allow-headers': 'authorization, content-type, x-api-key, x-request-id',
          'access-control-max-age': '600',
        },
      });
      expect(answer.headers.vary).toMatch(/\bOrigin\b/);
    }
  });

  it('decides a preflight by the route the router matches: granted for exactly the spellings whose POST reaches the operation', async () => {
    const spellings = [
      '/v1/labels/detect',
      '/v1/labels/detec%74',
      '/%76%31/labels/detect',
      '/%76%31/%6c%61%62%65%6c%73/%64%65%74%65%63%74',
      '/v1/labels%2Fdetect',
      '//v1/labels/detect',
      '/v1/labels//detect',
      '/v1/labels/./detect',
      '/v1/labels/x/../detect',
      '/v1/labels/x/%2e%2e/detect',
      '/v1/labels/detect/',
      '/v1/labels/detect;x=1',
      '/v1;x=1/labels/detect',
      '/v1/labels/detect?x=1',
      'http://x/v1/labels/detect',
      'HTTP://X/v1/labels/detect',
      '/v1/labels/Detect',
      '/V1/LABELS/DETECT',
    ];
    const outcomes = [];
    for (const path of spellings) {
      // Without a key: 401 where the POST route matched, 404 where none did.
      const routed = (await call(path, { origin: CONSOLE })).status === 401;
      const answer = await preflight(path, CONSOLE);
      outcomes.push({ path, routed, preflight: answer.status, granted: answer.headers['access-control-allow-origin'] === CONSOLE });
    }
    expect(outcomes).toEqual(outcomes.map(({ path, routed }) => ({ path, routed, preflight: routed ? 204 : 404, granted: routed })));
    expect(outcomes.filter((outcome) => outcome.routed).length).toBeGreaterThan(1);
  });

  it('grants nothing to any other origin, nor to a path that is not an operation\'s (404)', async () => {
    for (const origin of [ELSEWHERE, 'null', `${CONSOLE}/`, 'http://console.test:3003', CONSOLE.toUpperCase()]) {
      const answer = await preflight('/v1/faces/detect', origin);
      expect({ origin, status: answer.status, cors: corsHeadersOf(answer) }).toEqual({ origin, status: 204, cors: {} });
    }
    for (const path of ['/v1/faces/detectx', '/v1/FACES/detect', '/v1/faces', '/openapi.json', '/healthz', '/ops/queues']) {
      const answer = await preflight(path, CONSOLE);
      expect({ path, status: answer.status, cors: corsHeadersOf(answer) }).toEqual({ path, status: 404, cors: {} });
    }
  });

  it('a preflight is neither authenticated nor limited nor billed: no key asked, no RateLimit headers, no usage, no job', async () => {
    const jobsBefore = await metricTotal(workerOf(system).url, 'vision_jobs_total');
    const answers = await Promise.all(Array.from({ length: 20 }, () => preflight('/v1/labels/detect', CONSOLE)));
    for (const answer of answers) {
      expect(answer.status).toBe(204);
      expect(answer.headers['ratelimit-limit']).toBeUndefined();
      expect(answer.body).toBe('');
    }
    // Two calls a second are allowed: twenty preflights just before took none of them.
    const served = await call('/v1/labels/detect', { origin: CONSOLE, authorization: `Bearer ${system.key}` });
    expect(served.status).toBe(200);
    expect(served.headers['ratelimit-remaining']).toBe('1');
    expect(await metricTotal(workerOf(system).url, 'vision_jobs_total')).toBe(jobsBefore + 1);
    expect(await usageEventsQueued()).toBe(1);
  });

  it('lets an allowed page read every answer, refusals included (their message, RateLimit-*, Retry-After, x-request-id)', async () => {
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    const exposed = { 'access-control-allow-origin': CONSOLE, 'access-control-expose-headers': CORS_EXPOSED_HEADERS };
    const answers = [];
    // Five in well under a second: whatever the window boundaries, some are over two a second.
    for (let i = 0; i < 5; i++) answers.push(await call('/v1/faces/detect', { origin: CONSOLE, authorization: `Bearer ${system.key}` }));
    const statuses = answers.map((answer) => answer.status);
    expect(statuses).toContain(429);
    for (const answer of answers) expect(corsHeadersOf(answer)).toEqual(exposed);
    const refused = answers.find((answer) => answer.status === 429);
    expect(refused?.headers['retry-after']).toBeDefined();
    expect(JSON.parse(refused?.body ?? '{}')).toMatchObject({ error: { code: 'rate_limited' } });

    const unauthenticated = await call('/v1/faces/detec%74', { origin: CONSOLE });
    expect(unauthenticated.status).toBe(401);
    expect(corsHeadersOf(unauthenticated)).toEqual(exposed);
    expect(JSON.parse(unauthenticated.body)).toMatchObject({ error: { code: 'unauthenticated' } });
  });

  it('an answer to any other origin carries no grant (the browser keeps it from the page)', async () => {
    const answer = await call('/v1/text/detect', { origin: ELSEWHERE });
    expect(answer.status).toBe(401);
    expect(corsHeadersOf(answer)).toEqual({});
    expect(answer.headers.vary).toMatch(/\bOrigin\b/);
  });
});
