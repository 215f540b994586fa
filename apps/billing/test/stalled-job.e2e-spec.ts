import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { BillingJob, DELETE_CUSTOMER_JOB_OPTIONS, QueueName, deleteCustomerJobId } from '@nomosly/contracts';
import { type Queue, QueueEvents } from 'bullmq';
import {
  type PolarStandIn,
  type RunningApp,
  TEST_DATABASE_URL,
  TEST_REDIS_URL,
  deleteKeys,
  startApp,
  startPolarStandIn,
  terminate,
  testQueue,
  uniquePrefix,
  until,
} from '@nomosly/testing';

/**
 * Issue 17, "never lost": a billing process stopped at its shutdown deadline with a job in hand (a customer
 * deletion whose Polar call gets no answer) leaves the job active; once its lock lapses another billing process
 * takes it back as stalled and runs it exactly once.
 */
describe('billing: a billing job in hand at the shutdown deadline (issue 17)', () => {
  const prefix = uniquePrefix('billing-stalled');
  const redisUrl = new URL(TEST_REDIS_URL);
  let queue: Queue;
  let events: QueueEvents;
  let polar: PolarStandIn;
  // A Polar that takes every call and answers none: the first process's job cannot finish.
  let silentPolar: http.Server;
  let silentCalls = 0;
  const apps: RunningApp[] = [];

  function billingEnv(polarUrl: string, accessToken: string): Record<string, string> {
    return {
      DATABASE_URL: TEST_DATABASE_URL,
      EVENTS_REDIS_URL: TEST_REDIS_URL,
      QUEUE_PREFIX: prefix,
      POLAR_ACCESS_TOKEN: accessToken,
      POLAR_SERVER_URL: polarUrl,
      POLAR_WEBHOOK_SECRET: 'whsec_stalled_job_test_secret',
      POLAR_TIMEOUT_MS: '60000',
      BILLING_RECONCILE_CRON: '',
      BILLING_SEND_USAGE: 'false',
      QUEUE_LOCK_MS: '2000',
      QUEUE_STALLED_CHECK_MS: '500',
      SHUTDOWN_TIMEOUT_MS: '3000',
    };
  }

  beforeAll(async () => {
    queue = testQueue(QueueName.Billing, prefix);
    events = new QueueEvents(QueueName.Billing, { connection: { host: redisUrl.hostname, port: Number(redisUrl.port || 6379) }, prefix });
    polar = await startPolarStandIn();
    silentPolar = http.createServer(() => void silentCalls++);
    await new Promise<void>((resolve) => silentPolar.listen(0, '127.0.0.1', resolve));
  }, 60_000);
  afterAll(async () => {
    for (const app of apps) await app.kill();
    silentPolar?.closeAllConnections();
    await new Promise((resolve) => silentPolar?.close(resolve));
    await polar?.stop();
    await events?.close();
    await queue?.close();
    await deleteKeys(TEST_REDIS_URL, `${prefix}:*`);
  });

  it('exits 1 at the deadline; the job returns as stalled and another process runs it exactly once', async () => {
    const stalled: string[] = [];
    const completed: { jobId: string; returnvalue: unknown }[] = [];
    events.on('stalled', ({ jobId }) => stalled.push(jobId));
    events.on('completed', ({ jobId, returnvalue }) => completed.push({ jobId, returnvalue }));
    await events.waitUntilReady();

    const silentUrl = `http://127.0.0.1:${(silentPolar.address() as AddressInfo).port}`;
    const first = await startApp('billing', billingEnv(silentUrl, 'polar_oat_stalled_job_test'));
    apps.push(first);
    const workspaceId = randomUUID();
    const jobId = deleteCustomerJobId({ workspaceId });
    await queue.add(BillingJob.DeleteCustomer, { workspaceId }, { ...DELETE_CUSTOMER_JOB_OPTIONS, jobId });
    await until(async () => silentCalls > 0, { what: 'the job calling Polar', timeoutMs: 20_000 });

    const stopped = await terminate(first);
    expect(stopped.code).toBe(1);
    expect(first.logs()).toMatch(/"event":"shutdown_timed_out"/);
    expect(await queue.getJobState(jobId)).toBe('active');

    const second = await startApp('billing', billingEnv(polar.url, polar.accessToken));
    apps.push(second);
    await until(async () => completed.length > 0, { what: 'the stalled job completed by the second process', timeoutMs: 30_000 });
    expect(stalled).toEqual([jobId]);
    expect(completed).toEqual([{ jobId, returnvalue: { outcome: 'already_gone' } }]);
    // Run once by the second process, never by the first.
    const outcome = new RegExp(`Polar customer of deleted workspace ${workspaceId}: `, 'g');
    expect(second.logs().match(outcome)).toHaveLength(1);
    expect(first.logs()).not.toMatch(outcome);
    expect((await terminate(second)).code).toBe(0);
  }, 90_000);
});
