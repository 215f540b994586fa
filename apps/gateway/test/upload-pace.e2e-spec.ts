import { randomBytes } from 'node:crypto';
import type { Queue } from 'bullmq';
import Redis from 'ioredis';
import sharp from 'sharp';
import { EventName, eventJobId } from '@nomosly/contracts';
import { LimitsStore, limitsPrefix } from '@nomosly/limits';
import { TEST_REDIS_URL, type TestSystem, eventsQueue, startTestSystem, until, workerOf } from '@nomosly/testing';
import { type RawResponse, rawExchange, requestHead } from './raw-http';
import { metricTotal } from './helpers';

/** Twice the steady upload's three seconds, so a loaded machine does not cut it; still under the slow one's eight. */
const UPLOAD_TIMEOUT_MS = 6_000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('gateway: a request body must keep a minimum pace, or the call is refused and never billed (API.md: refused calls are not billed)', () => {
  let system: TestSystem;
  let events: Queue;
  let redis: Redis;
  let limits: LimitsStore;
  let workspaceId: string;
  /** A PNG of noise, about 770 KiB: it does not compress. */
  let noise: Buffer;

  beforeAll(async () => {
    system = await startTestSystem({ label: 'upload-pace', engine: 'null', gatewayEnv: { UPLOAD_TIMEOUT_MS: String(UPLOAD_TIMEOUT_MS) } });
    events = eventsQueue(system.prefix);
    redis = new Redis(TEST_REDIS_URL);
    limits = new LimitsStore(redis, { prefix: limitsPrefix(system.prefix) });
    noise = await sharp(randomBytes(512 * 512 * 3), { raw: { width: 512, height: 512, channels: 3 } }).png().toBuffer();
    const warmUp = await paced(noise.length, 0);
    expect(warmUp.status).toBe(200);
    workspaceId = (await events.getJob(eventJobId(EventName.Usage, warmUp.headers['x-request-id'])))?.data.workspaceId;
    expect(typeof workspaceId).toBe('string');
  }, 180_000);
  afterAll(async () => {
    redis?.disconnect();
    await events?.close();
    await system?.stop();
  });

  /** POSTs the noise image with the body written `chunk` bytes at a time, every `everyMs`. */
  function paced(chunk: number, everyMs: number): Promise<RawResponse> {
    const head = requestHead('POST /v1/labels/detect HTTP/1.1', {
      authorization: `Bearer ${system.key}`,
      'content-type': 'image/png',
      'content-length': String(noise.length),
    });
    return rawExchange(system.gateway.port, async (socket) => {
      socket.write(head);
      for (let at = 0; at < noise.length && socket.writable; at += chunk) {
        socket.write(noise.subarray(at, at + chunk));
        if (everyMs) await sleep(everyMs);
      }
    });
  }

  const workerJobs = () => metricTotal(workerOf(system).url, 'vision_jobs_total');

  /** Refused: 408 in API.md's body, units given back, nothing run, nothing billed, the request logged. */
  async function expectCut(answer: RawResponse, message: RegExp, unitsBefore: number, jobsBefore: number): Promise<void> {
    expect(answer.status).toBe(408);
    const requestId = answer.headers['x-request-id'];
    expect(JSON.parse(answer.body)).toEqual({ error: { code: 'request_timeout', message: expect.stringMatching(message), requestId } });
    expect(answer.headers.connection).toBe('close');
    expect(await limits.unitsThisMonth(workspaceId)).toBe(unitsBefore);
    expect(await workerJobs()).toBe(jobsBefore);
    await until(async () => (await events.getJob(eventJobId(EventName.Request, requestId))) !== undefined, { what: 'the 408 in the request log' });
    expect((await events.getJob(eventJobId(EventName.Request, requestId)))?.data).toMatchObject({ status: 408, path: '/v1/labels/detect' });
    expect(await events.getJob(eventJobId(EventName.Usage, requestId))).toBeUndefined();
  }

  it('P4, P10: cuts a body trickling under 64 KiB/s after its first second with 408 request_timeout, and refunds its units: no usage record', async () => {
    const [unitsBefore, jobsBefore] = [await limits.unitsThisMonth(workspaceId), await workerJobs()];
    const started = Date.now();
    // 1 KiB every 100 ms: about 10 KiB/s.
    const answer = await paced(1024, 100);
    await expectCut(answer, /minimum is 65536 bytes\/s/, unitsBefore, jobsBefore);
    // Cut at the end of the second second: well before the upload timeout.
    expect(Date.now() - started).toBeLessThan(UPLOAD_TIMEOUT_MS);
  }, 30_000);

  it('P4, P10: cuts a body still arriving after UPLOAD_TIMEOUT_MS, however steady its pace, unbilled: no units, no usage record', async () => {
    const [unitsBefore, jobsBefore] = [await limits.unitsThisMonth(workspaceId), await workerJobs()];
    // 24 KiB every 250 ms: 96 KiB/s, above the minimum, but about 8 s for the whole image: over the 6 s timeout.
    const answer = await paced(24 * 1024, 250);
    await expectCut(answer, /not complete within 6 s/, unitsBefore, jobsBefore);
  }, 30_000);

  it('leaves uploads at or above the pace alone: at once, and at 256 KiB/s over three seconds', async () => {
    const unitsBefore = await limits.unitsThisMonth(workspaceId);
    const atOnce = await paced(noise.length, 0);
    expect(atOnce.status).toBe(200);
    const steady = await paced(128 * 1024, 500);
    expect(steady.status).toBe(200);
    expect(await limits.unitsThisMonth(workspaceId)).toBe(unitsBefore + 2);
  }, 30_000);
});
