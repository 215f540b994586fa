import sharp from 'sharp';
import { type AppName, type RunningApp, type TestSystem, TEST_REDIS_URL, fixture, startApp, startTestSystem, until, waitForWorkers, workerOf } from '@nomosly/testing';
import { type Answer, deleteUsageRows, detectOnce, undocumentedAnswers, usageRowsOf } from './billed-calls';

/** Each job takes 300 ms: a SIGTERM always finds jobs on the worker and calls waiting on the gateway. */
const WORKER_ENV = { NULL_ENGINE_DELAY_MS: '300', VISION_CONCURRENCY: '4' };
const CLIENTS = 6;
/** Starting an app on a loaded 2-core machine can take minutes: it is not what this test is about. */
const READY_TIMEOUT_MS = 300_000;
/** A connection refused (a gateway gone) is tried on the next gateway, up to this many times. */
const REFUSED_RETRIES = 5;
/** A hard bound on the load, whatever happens to the restarts (each start takes long on a loaded 2-core machine). */
const LOAD_LIMIT_MS = 480_000;

/**
 * The load balancer of this test: round robin over the gateways in rotation. A gateway is taken out of rotation
 * before it is sent SIGTERM (as an orchestrator deregisters an instance it stops); a connection refused all the
 * same is tried again on the next gateway, as a load balancer does with a connection that was never accepted.
 */
class Rotation {
  private readonly members: RunningApp[] = [];
  private next = 0;
  private readonly inFlight = new Map<string, number>();
  refusedConnections = 0;

  add(gateway: RunningApp): void {
    this.members.push(gateway);
  }

  remove(gateway: RunningApp): void {
    this.members.splice(this.members.indexOf(gateway), 1);
  }

  pick(): RunningApp {
    return this.members[this.next++ % this.members.length];
  }

  callsInFlight(gateway: RunningApp): number {
    return this.inFlight.get(gateway.url) ?? 0;
  }

  async call(key: string, image: Buffer): Promise<Answer> {
    for (let attempt = 0; ; attempt++) {
      const gateway = this.pick();
      this.inFlight.set(gateway.url, this.callsInFlight(gateway) + 1);
      const answer = await detectOnce(gateway.url, key, image).finally(() => this.inFlight.set(gateway.url, this.callsInFlight(gateway) - 1));
      if (answer.error !== 'ECONNREFUSED' || attempt === REFUSED_RETRIES) return answer;
      this.refusedConnections++;
    }
  }
}

/**
 * Issue 16 (4): a rolling restart of the workers and the gateways (start a new one, SIGTERM the old one, one at a
 * time) under load. Every call gets an answer (200, or 503 `unavailable` with Retry-After: never a reset, a 5xx
 * of another kind or a timeout), every process stopped exits 0 within SHUTDOWN_TIMEOUT_MS, and the usage rows in
 * PostgreSQL are exactly the 200s (P4).
 */
describe('gateway and vision worker: a rolling restart under load loses no call and no usage event (P4)', () => {
  let system: TestSystem;
  let usage: RunningApp;
  const started: RunningApp[] = [];

  beforeAll(async () => {
    // A long deadline: a job lost in a restart still ends in a 504 (the test fails), but a loaded machine's slow calls do not.
    system = await startTestSystem({ label: 'rolling', engine: 'null', workerEnv: WORKER_ENV, deadlineMs: 60_000 });
    usage = await startApp('usage', { DATABASE_URL: system.env.DATABASE_URL, EVENTS_REDIS_URL: TEST_REDIS_URL, QUEUE_PREFIX: system.prefix, RETENTION_SWEEP_CRON: '' });
  }, 180_000);
  afterAll(async () => {
    await Promise.all([usage?.stop(), system?.stop(), ...started.map((app) => app.stop())]);
    if (system) await deleteUsageRows(system.workspaceId);
  }, 60_000);

  async function start(name: AppName, extraEnv: Record<string, string> = {}): Promise<RunningApp> {
    const app = await startApp(name, { ...system.env, ...extraEnv }, { readyTimeoutMs: READY_TIMEOUT_MS });
    started.push(app);
    return app;
  }

  /** SIGTERM, and how the process exited (a SIGKILL after 10 s shows as signal SIGKILL). */
  async function terminate(app: RunningApp): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    await app.stop();
    return { code: app.child.exitCode, signal: app.child.signalCode };
  }

  it('P4: new worker, old worker SIGTERM; new gateway, old gateway SIGTERM (twice); new worker, old one SIGTERM: every call answered 200 or 503 with Retry-After, the 200s billed exactly once', async () => {
    // Small: the gateways' CPU goes to the calls and the restarts, not to reading bodies.
    const image = await sharp(fixture('astronaut.png')).resize(128, 128).png().toBuffer();
    const rotation = new Rotation();
    const firstGateway = system.gateway;
    const secondGateway = await start('gateway');
    await waitForWorkers(secondGateway.url, 1);
    rotation.add(firstGateway);
    rotation.add(secondGateway);

    const answers: Answer[] = [];
    let stopping = false;
    const loadDeadline = Date.now() + LOAD_LIMIT_MS;
    const clients = Array.from({ length: CLIENTS }, async () => {
      while (!stopping && Date.now() < loadDeadline) answers.push(await rotation.call(system.key, image));
    });
    const okCount = () => answers.filter((answer) => answer.status === 200).length;
    const moreOk = async (count: number, what: string) => {
      const target = okCount() + count;
      await until(async () => okCount() >= target, { what, timeoutMs: 60_000, intervalMs: 50 });
    };

    const exits: Record<string, { code: number | null; signal: NodeJS.Signals | null }> = {};
    /** Calls a gateway held when it was sent SIGTERM: each must still get its answer. */
    const heldAtSigterm: Record<string, number> = {};
    try {
      await moreOk(10, 'calls served before the restart');

      // Workers: a second one, then SIGTERM to the first while it holds jobs.
      const firstWorker = workerOf(system);
      const secondWorker = await start('vision-worker', WORKER_ENV);
      await waitForWorkers(firstGateway.url, 2);
      exits.firstWorker = await terminate(firstWorker);
      await moreOk(5, 'calls served after the first worker stopped');

      // Gateways, one at a time: a new one in rotation, the old one out of it while it holds calls, then SIGTERM.
      for (const [name, old] of [['firstGateway', firstGateway], ['secondGateway', secondGateway]] as const) {
        const replacement = await start('gateway');
        await waitForWorkers(replacement.url, 1);
        rotation.add(replacement);
        await until(async () => rotation.callsInFlight(old) >= 2, { what: `calls in flight on ${name}`, timeoutMs: 30_000, intervalMs: 5 });
        rotation.remove(old);
        heldAtSigterm[name] = rotation.callsInFlight(old);
        exits[name] = await terminate(old);
        await moreOk(5, `calls served after ${name} stopped`);
      }

      // The second worker gives way to a third.
      await start('vision-worker', WORKER_ENV);
      await waitForWorkers(rotation.pick().url, 2);
      exits.secondWorker = await terminate(secondWorker);
      await moreOk(10, 'calls served after the restart');
    } finally {
      stopping = true;
      await Promise.all(clients);
      const tally: Record<string, number> = {};
      for (const { status, code, error } of answers) tally[`${status} ${code ?? error ?? ''}`.trim()] = (tally[`${status} ${code ?? error ?? ''}`.trim()] ?? 0) + 1;
      console.log(`rolling restart: answers ${JSON.stringify(tally)}, exits ${JSON.stringify(exits)}, calls held at SIGTERM ${JSON.stringify(heldAtSigterm)}`);
    }

    const ok = answers.filter((answer) => answer.status === 200);
    const refused = answers.filter((answer) => answer.status === 503);
    console.log(`rolling restart: ${JSON.stringify({ calls: answers.length, ok: ok.length, refused503: refused.length, refusedConnectionsRetried: rotation.refusedConnections })}`);
    expect(undocumentedAnswers(answers)).toEqual([]);
    expect(exits).toEqual({
      firstWorker: { code: 0, signal: null },
      firstGateway: { code: 0, signal: null },
      secondGateway: { code: 0, signal: null },
      secondWorker: { code: 0, signal: null },
    });
    expect(heldAtSigterm.firstGateway).toBeGreaterThan(0);
    expect(heldAtSigterm.secondGateway).toBeGreaterThan(0);

    // P4: the usage rows are the 200s, one each.
    const rows = await usageRowsOf(system.prefix, TEST_REDIS_URL, system.workspaceId, ok.length);
    const billed = new Set(rows.eventIds);
    expect(rows.eventIds.length).toBe(ok.length);
    expect(billed.size).toBe(rows.eventIds.length);
    expect(rows.dailyCalls).toBe(ok.length);
    expect(ok.filter((answer) => !billed.has(answer.requestId ?? ''))).toEqual([]);
  }, 900_000);
});
