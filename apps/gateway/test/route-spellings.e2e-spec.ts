import type { Queue } from 'bullmq';
import sharp from 'sharp';
import { EventName, OPERATIONS, OPERATION_SPECS, eventJobId } from '@nomosly/contracts';
import { type TestSystem, eventsQueue, startTestSystem, until, workerOf } from '@nomosly/testing';
import { type RawResponse, rawRequest } from './raw-http';
import { metricTotal } from './helpers';

const OPS_PASSWORD = 'correct-horse-battery-staple';
const ADMIN = `Basic ${Buffer.from(`admin:${OPS_PASSWORD}`).toString('base64')}`;

interface Target {
  name: string;
  method: 'POST' | 'GET';
  path: string;
  /** The form fields of an operation's JSON body. */
  imageFields: readonly string[];
}
const TARGETS: Target[] = [
  ...OPERATIONS.map((op): Target => ({ name: op, method: 'POST', path: OPERATION_SPECS[op].path, imageFields: OPERATION_SPECS[op].imageFields })),
  { name: 'board', method: 'GET', path: '/ops/queues', imageFields: [] },
  { name: 'board api', method: 'GET', path: '/ops/queues/api/queues', imageFields: [] },
];

const pct = (char: string) => `%${char.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`;
const everyByteEncoded = (path: string) => path.split('/').map((segment) => [...segment].map((c) => pct(c).toLowerCase()).join('')).join('/');
/** Replaces the last slash of a path. */
const atLastSlash = (path: string, by: string) => path.replace(/\/(?=[^/]*$)/, by);

/** Ways to spell one path in a request line. */
const SPELLINGS: Array<[string, (path: string) => string]> = [
  ['plain', (p) => p],
  ['last letter %-encoded', (p) => p.slice(0, -1) + pct(p.slice(-1))],
  ['second segment\'s first letter %-encoded', (p) => p.replace(/^(\/[^/]+\/)(.)/, (_whole, head: string, c: string) => head + pct(c))],
  ['first segment %-encoded', (p) => p.replace(/^\/([^/]+)/, (_whole, segment: string) => `/${[...segment].map(pct).join('')}`)],
  ['every byte %-encoded (lower-case hex)', everyByteEncoded],
  ['last slash as %2F', (p) => atLastSlash(p, '%2F')],
  ['last slash as %2f', (p) => atLastSlash(p, '%2f')],
  ['leading double slash', (p) => `/${p}`],
  ['inner double slash', (p) => atLastSlash(p, '//')],
  ['dot segment', (p) => atLastSlash(p, '/./')],
  ['dot-dot segment', (p) => atLastSlash(p, '/x/../')],
  ['%-encoded dot-dot segment', (p) => atLastSlash(p, '/x/%2e%2e/')],
  ['trailing slash', (p) => `${p}/`],
  ['trailing ;parameter', (p) => `${p};x=1`],
  ['inner ;parameter', (p) => p.replace(/^(\/[^/]+)/, '$1;x=1')],
  ['query string', (p) => `${p}?x=1`],
  ['absolute form', (p) => `http://x${p}`],
  ['absolute form, upper-case scheme and host', (p) => `HTTP://X${p}`],
  ['absolute form, %-encoded path', (p) => `http://127.0.0.1${everyByteEncoded(p)}`],
  ['absolute form, https', (p) => `https://x${p}`],
  ['mixed case', (p) => atLastSlash(p, '/').replace(/\/([a-z])(?=[^/]*$)/, (_whole, c: string) => `/${c.toUpperCase()}`)],
  ['upper case', (p) => p.toUpperCase()],
];

/** Answers by spelling, then by target: printed as the closing table. */
const answers = new Map<string, Map<string, string[]>>();
function record(spelling: string, target: Target, answer: string): void {
  const row = answers.get(spelling) ?? new Map<string, string[]>();
  answers.set(spelling, row);
  row.set(target.name, [...(row.get(target.name) ?? []), answer]);
}

/** Names the spelling in the failure message. */
function expectStatusIn(answer: RawResponse, allowed: number[], what: string): void {
  expect({ what, status: allowed.includes(answer.status) ? 'as allowed' : answer.status }).toEqual({ what, status: 'as allowed' });
}

describe('gateway: every spelling of a route is that route (or 404), never a way around its key check (API.md)', () => {
  let system: TestSystem;
  let events: Queue;
  let image: Buffer;

  beforeAll(async () => {
    system = await startTestSystem({ label: 'spellings', engine: 'null', gatewayEnv: { OPS_PASSWORD } });
    events = eventsQueue(system.prefix);
    image = await sharp({ create: { width: 96, height: 96, channels: 3, background: '#7a9' } }).png().toBuffer();
  }, 180_000);
  afterAll(async () => {
    await events?.close();
    await system?.stop();
    const table = [...answers].map(([spelling, row]) => {
      const spell = SPELLINGS.find(([name]) => name === spelling)?.[1] ?? String;
      const examples = `${spell('/v1/labels/detect')}  ${spell('/ops/queues/api/queues')}`;
      return `${spelling.padEnd(42)} ${examples.padEnd(96)} ${[...row].map(([target, got]) => `${target}=${got.join('/')}`).join(' ')}`;
    });
    console.log(`spelling (no credentials / with credentials)\n${table.join('\n')}`);
  });

  const send = (target: Target, spelling: (path: string) => string, authorization?: string): Promise<RawResponse> => {
    const requestLine = `${target.method} ${spelling(target.path)} HTTP/1.1`;
    const headers: Record<string, string> = authorization ? { authorization } : {};
    if (target.method === 'GET') return rawRequest(system.gateway.port, requestLine, headers);
    const body = Buffer.from(JSON.stringify(Object.fromEntries(target.imageFields.map((field) => [field, image.toString('base64')]))));
    return rawRequest(system.gateway.port, requestLine, { ...headers, 'content-type': 'application/json' }, body);
  };

  const queuedEvent = async (name: EventName, requestId: string) => {
    let data: Record<string, unknown> | undefined;
    await until(async () => (data = (await events.getJob(eventJobId(name, requestId)))?.data) !== undefined, { what: `${name} event of ${requestId}` });
    return data as Record<string, unknown>;
  };

  const workerJobs = () => metricTotal(workerOf(system).url, 'vision_jobs_total');

  const usageEventsQueued = async () => (await events.getJobs(['waiting', 'active', 'completed', 'failed', 'delayed'])).filter((job) => job.name === EventName.Usage).length;

  it('P4: without credentials: each spelling gets the plain path\'s 401 (and logs as it) or 404, no call reaches a worker, and none is metered', async () => {
    for (const target of TARGETS) {
      for (const [name, spelling] of SPELLINGS) {
        const answer = await send(target, spelling);
        record(name, target, String(answer.status));
        expectStatusIn(answer, name === 'plain' ? [401] : [401, 404], `${target.name}, ${name}`);
        if (answer.status !== 401) continue;
        if (target.method === 'GET') {
          expect(answer.headers['www-authenticate']).toMatch(/^Basic realm=/);
          continue;
        }
        expect(JSON.parse(answer.body)).toMatchObject({ error: { code: 'unauthenticated' } });
        const logged = await queuedEvent(EventName.Request, answer.headers['x-request-id']);
        expect(logged).toMatchObject({ path: target.path, status: 401 });
      }
    }
    expect(await workerJobs()).toBe(0);
    expect(await usageEventsQueued()).toBe(0);
  }, 120_000);

  it('P4: with credentials: each spelling is answered, metered once and logged as the plain path, or is 404', async () => {
    let served = 0;
    for (const target of TARGETS) {
      const authorization = target.method === 'GET' ? ADMIN : `Bearer ${system.key}`;
      for (const [name, spelling] of SPELLINGS) {
        const answer = await send(target, spelling, authorization);
        record(name, target, String(answer.status));
        expectStatusIn(answer, name === 'plain' ? [200] : [200, 404], `${target.name}, ${name}`);
        if (answer.status !== 200 || target.method === 'GET') continue;
        served++;
        const requestId = answer.headers['x-request-id'];
        expect(JSON.parse(answer.body)).toMatchObject({ operation: target.name, units: 1, requestId });
        expect(answer.headers['ratelimit-limit']).toBeDefined();
        expect(await queuedEvent(EventName.Usage, requestId)).toMatchObject({ operation: target.name, units: 1, status: 200 });
        expect(await queuedEvent(EventName.Request, requestId)).toMatchObject({ path: target.path, status: 200 });
      }
    }
    expect(await workerJobs()).toBe(served);
    expect(await usageEventsQueued()).toBe(served);
  }, 120_000);

  it('P2: the server log line of a spelled URL shows the plain route and the address the request-log event has, never the spelling or its query', async () => {
    const target = TARGETS.find((each) => each.path === '/v1/labels/detect');
    if (!target) throw new Error('no /v1/labels/detect target');
    const spelled = (path: string) => `${path.replace(/t$/, '%74')}?secret=query-value`;
    const answer = await send(target, spelled, `Bearer ${system.key}`);
    expect(answer.status).toBe(200);
    const requestId = answer.headers['x-request-id'];
    let line: Record<string, unknown> | undefined;
    await until(
      async () =>
        (line = system.gateway
          .logs()
          .split('\n')
          .filter((text) => text.includes(requestId) && text.includes('request completed'))
          .map((text) => JSON.parse(text) as Record<string, unknown>)[0]) !== undefined,
      { what: `the server log line of ${requestId}` },
    );
    expect(line).toMatchObject({ requestId, path: '/v1/labels/detect', status: 200 });
    const event = await queuedEvent(EventName.Request, requestId);
    expect(event).toMatchObject({ path: line?.path, ip: line?.ip });
    for (const sent of ['detec%74', 'query-value']) expect(JSON.stringify(line)).not.toContain(sent);
  }, 60_000);
});
