import { type TestSystem, fixture, freePort, startTestSystem, until, workerOf } from '@nomosly/testing';
import { callApi } from './helpers';

const errorOf = (body: Record<string, unknown>) => body.error as { code: string; message: string };

/** What AWS says when it fails us; none of it may reach a client. */
const AWS_DETAIL = /Exception|AWS|aws|signature|credential|Throttl|Provisioned/;

describe('gateway on the rekognition engine: AWS failures become 503 with Retry-After, never AWS detail', () => {
  describe('throttled on every attempt', () => {
    let system: TestSystem;
    beforeAll(async () => {
      system = await startTestSystem({
        label: 'rek-throttled',
        engine: 'rekognition',
        deadlineMs: 4_000,
        standInEnv: { REKOGNITION_LOCAL_FAULT: 'ThrottlingException' },
      });
    }, 180_000);
    afterAll(() => system?.stop());

    it('retries within the deadline, then answers 503 unavailable with Retry-After before the 504 would come', async () => {
      const started = Date.now();
      const { status, body, headers } = await callApi(system, '/v1/faces/detect', 'raw', { image: fixture('grace_hopper.jpg') }, { type: 'image/jpeg' });
      const elapsed = Date.now() - started;
      expect({ status, code: errorOf(body).code }).toEqual({ status: 503, code: 'unavailable' });
      expect(Number(headers.get('retry-after'))).toBeGreaterThan(0);
      expect(errorOf(body).message).not.toMatch(AWS_DETAIL);
      // Retried for most of the deadline (not given up at the first throttle), answered before it.
      expect(elapsed).toBeGreaterThan(1_000);
      expect(elapsed).toBeLessThan(4_000);
    });
  });

  describe('with AWS unreachable (nothing listening at the endpoint)', () => {
    let system: TestSystem;
    beforeAll(async () => {
      const port = await freePort();
      system = await startTestSystem({
        label: 'rek-unreachable',
        engine: 'rekognition',
        deadlineMs: 3_000,
        workerEnv: { AWS_ENDPOINT: `http://127.0.0.1:${port}` },
      });
    }, 180_000);
    afterAll(() => system?.stop());

    it('retries the refused connections (a transient failure) within the deadline, then 503 before the 504', async () => {
      const started = Date.now();
      const { status, body, headers } = await callApi(system, '/v1/text/detect', 'raw', { image: fixture('printed_text.png') });
      const elapsed = Date.now() - started;
      expect({ status, code: errorOf(body).code }).toEqual({ status: 503, code: 'unavailable' });
      expect(headers.get('retry-after')).not.toBeNull();
      // Each refusal is immediate: only backoff between retries makes the call take this long.
      expect(elapsed).toBeGreaterThan(500);
      expect(elapsed).toBeLessThan(3_000);
    });
  });

  describe('with credentials AWS does not accept', () => {
    let system: TestSystem;
    beforeAll(async () => {
      system = await startTestSystem({
        label: 'rek-credentials',
        engine: 'rekognition',
        workerEnv: { AWS_SECRET_ACCESS_KEY: 'not-the-secret-the-stand-in-knows' },
      });
    }, 180_000);
    afterAll(() => system?.stop());

    it('answers 503 without AWS detail, and tells the operator once, naming the AWS error', async () => {
      const { status, body, headers } = await callApi(system, '/v1/labels/detect', 'raw', { image: fixture('astronaut.png') });
      expect({ status, code: errorOf(body).code }).toEqual({ status: 503, code: 'unavailable' });
      expect(headers.get('retry-after')).not.toBeNull();
      expect(JSON.stringify(body)).not.toMatch(AWS_DETAIL);
      const worker = workerOf(system);
      await until(async () => /InvalidSignatureException/.test(worker.logs()), { what: 'the operator log line', timeoutMs: 5_000 });
      expect(worker.logs().match(/InvalidSignatureException/g)).toHaveLength(1);
    });
  });
});
