import { type RunningApp, type TestSystem, TEST_REDIS_URL, fixture, startApp, startTestSystem, until } from '@nomosly/testing';
import { type Answer, deleteUsageRows, detectOnce, undocumentedAnswers, usageRowsOf } from './billed-calls';
import { metricTotal, metricValue } from './helpers';

/**
 * Known capacity: 1 job at a time, 1 s each. Small beside what the gateway can take even on a loaded 2-core
 * machine, so the queue, not the gateway's CPU, is what runs out.
 */
const WORKER_ENV = { NULL_ENGINE_DELAY_MS: '1000', VISION_CONCURRENCY: '1' };
/** A call is admitted only when no job waits ahead of it (its estimate: half a job, 500 ms; one more: 1500 ms). */
const MAX_QUEUE_WAIT_MS = 700;
/** Three times the worker's slots, each calling again as soon as it has its answer (a refusal: after 50 ms). */
const CLIENTS = 3;
/** The load runs until both kinds of answer have been seen this often (bounded by LOAD_LIMIT_MS). */
const EACH_AT_LEAST = 5;
const LOAD_LIMIT_MS = 120_000;

/**
 * Issue 16 (2): past the workers' capacity, calls whose job would wait longer than VISION_MAX_QUEUE_WAIT_MS are
 * refused at once with 503 `unavailable` and Retry-After; the admitted ones complete, and exactly they are billed.
 * (How fast each answer comes is measured by `npm run bench:overload`, not asserted here.)
 */
describe('gateway: overload is answered with 503 and Retry-After, admission by the estimated queue wait', () => {
  let system: TestSystem;
  let usage: RunningApp;

  beforeAll(async () => {
    system = await startTestSystem({
      label: 'overload',
      engine: 'null',
      gatewayEnv: { VISION_MAX_QUEUE_WAIT_MS: String(MAX_QUEUE_WAIT_MS) },
      workerEnv: WORKER_ENV,
    });
    usage = await startApp('usage', { DATABASE_URL: system.env.DATABASE_URL, EVENTS_REDIS_URL: TEST_REDIS_URL, QUEUE_PREFIX: system.prefix, RETENTION_SWEEP_CRON: '' });
  }, 180_000);
  afterAll(async () => {
    await Promise.all([usage?.stop(), system?.stop()]);
    if (system) await deleteUsageRows(system.workspaceId);
  }, 60_000);

  async function client(stopAt: number, answers: Answer[]): Promise<void> {
    const image = fixture('astronaut.png');
    const seen = (status: number) => answers.filter((answer) => answer.status === status).length;
    while (Date.now() < stopAt && (seen(200) < EACH_AT_LEAST || seen(503) < EACH_AT_LEAST)) {
      const answer = await detectOnce(system.gateway.url, system.key, image);
      answers.push(answer);
      if (answer.status !== 200) await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  it('P4: at 3x the worker\'s slots: admitted calls all answer 200, the rest 503 unavailable with Retry-After, none lost, only the 200s billed', async () => {
    // Calls one at a time until the worker has reported how long a job takes: before that, only the backlog count applies.
    const image = fixture('astronaut.png');
    await until(
      async () => {
        expect((await detectOnce(system.gateway.url, system.key, image)).status).toBe(200);
        return (await metricTotal(system.gateway.url, 'vision_queue_wait_estimate_ms')) >= 0;
      },
      { what: 'the gateway estimating the queue wait from the worker\'s report', timeoutMs: 30_000 },
    );
    const warmUp = (await usageRowsOf(system.prefix, TEST_REDIS_URL, system.workspaceId, 1)).eventIds.length;

    const answers: Answer[] = [];
    const stopAt = Date.now() + LOAD_LIMIT_MS;
    await Promise.all(Array.from({ length: CLIENTS }, () => client(stopAt, answers)));

    const ok = answers.filter((answer) => answer.status === 200);
    const refused = answers.filter((answer) => answer.status === 503);
    console.log(`overload e2e: ${answers.length} calls, ${ok.length} answered 200, ${refused.length} refused 503`);
    expect(undocumentedAnswers(answers)).toEqual([]);
    expect(ok.length).toBeGreaterThanOrEqual(EACH_AT_LEAST);
    expect(refused.length).toBeGreaterThanOrEqual(EACH_AT_LEAST);
    expect(await metricValue(system.gateway.url, 'vision_admission_refusals_total', { reason: 'queue_wait' })).toBe(refused.length);

    // Billed exactly once each: the 200s (and the warm-up's), never a refused call.
    const rows = await usageRowsOf(system.prefix, TEST_REDIS_URL, system.workspaceId, warmUp + ok.length);
    const billed = new Set(rows.eventIds);
    expect(rows.eventIds.length).toBe(warmUp + ok.length);
    expect(billed.size).toBe(rows.eventIds.length);
    expect(rows.dailyCalls).toBe(rows.eventIds.length);
    expect(ok.filter((answer) => !billed.has(answer.requestId ?? ''))).toEqual([]);
    expect(refused.filter((answer) => billed.has(answer.requestId ?? ''))).toEqual([]);
  }, 300_000);
});
