import { type AppName, type RunningApp, startApp } from './app-process';
import { type RedisServer, startRedisServer } from './redis-server';
import { type TcpProxy, startTcpProxy } from './tcp-proxy';
import { TEST_DATABASE_URL } from './services';
import { until } from './until';

/** One dependency a test takes away and gives back. */
export interface OutageTarget {
  /** As the app names it in its log lines, /readyz and the outage metric. */
  readonly dependency: string;
  down(): Promise<void>;
  /** Another way to take it away, when it has one: a server that refuses connections rather than a partition. */
  refuse?(): Promise<void>;
  up(): Promise<void>;
}

/** Short periods, so that a reminder and a probe fit in a test; the deadline as in production. */
export const OUTAGE_TEST_ENV: Readonly<Record<string, string>> = {
  OUTAGE_REMINDER_MS: '1000',
  DEPENDENCY_PROBE_MS: '300',
  SHUTDOWN_TIMEOUT_MS: '10000',
};

/** A redis-server of the test's own (keeping nothing, as the vision Redis must): down is a stopped server. */
export async function redisOutageTarget(dependency: string): Promise<OutageTarget & { server: RedisServer }> {
  const server = await startRedisServer();
  return { dependency, server, down: () => server.shutdown(), up: () => server.start() };
}

/**
 * The test database (or `databaseUrl`'s) through a proxy of the test's own: down is a partition (connections hang, nothing answers),
 * refuse a stopped server (every connection reset at once).
 */
export async function postgresOutageTarget(databaseUrl: string = TEST_DATABASE_URL): Promise<OutageTarget & { proxy: TcpProxy; url: string }> {
  const direct = new URL(databaseUrl);
  const proxy = await startTcpProxy({ targetHost: direct.hostname, targetPort: Number(direct.port || 5432) });
  return {
    dependency: 'postgres',
    proxy,
    url: proxy.url(databaseUrl),
    down: async () => void proxy.cut('blackhole'),
    refuse: async () => void proxy.cut('reset'),
    up: async () => proxy.restore(),
  };
}

export interface LogLine {
  level: number;
  event?: string;
  dependency?: string;
  address?: string;
  code?: string;
  failedAttempts?: number;
  downForMs?: number;
  msg?: string;
  [field: string]: unknown;
}

/** An app's stdout read as pino lines and its stderr kept apart, from the moment `mark()` is called. */
export interface AppOutput {
  mark(): void;
  /** The stdout lines since the mark; a line that is not JSON is kept as `{ level: -1, msg: <the text> }`. */
  lines(): LogLine[];
  /** Everything on stderr since the mark. */
  stderr(): string;
}

export function followOutput(app: RunningApp): AppOutput {
  let stdout = '';
  let stderr = '';
  app.child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  app.child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  return {
    mark: () => {
      stdout = '';
      stderr = '';
    },
    lines: () =>
      stdout
        .split('\n')
        .filter((line) => line.trim() !== '')
        .map((line) => {
          try {
            return JSON.parse(line) as LogLine;
          } catch {
            return { level: -1, msg: line };
          }
        }),
    stderr: () => stderr,
  };
}

/** SIGTERM, then how long the process took to exit and with what code (null when it was killed). */
export async function terminate(app: RunningApp, { killAfterMs = 30_000 }: { killAfterMs?: number } = {}): Promise<{ ms: number; code: number | null }> {
  const child = app.child;
  if (child.exitCode !== null) return { ms: 0, code: child.exitCode };
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const started = Date.now();
  child.kill('SIGTERM');
  const killer = setTimeout(() => child.kill('SIGKILL'), killAfterMs);
  const code = await exited;
  clearTimeout(killer);
  return { ms: Date.now() - started, code };
}

export async function waitForLine(output: AppOutput, match: (line: LogLine) => boolean, what: string, timeoutMs = 15_000): Promise<LogLine> {
  let found: LogLine | undefined;
  await until(async () => (found = output.lines().find(match)) !== undefined, { what, timeoutMs, intervalMs: 50 });
  return found as LogLine;
}

export async function readiness(app: RunningApp): Promise<{ status: number; checks: Record<string, string> }> {
  const response = await fetch(`${app.url}/readyz`, { signal: AbortSignal.timeout(5_000) });
  const body = (await response.json()) as { checks?: Record<string, string> };
  return { status: response.status, checks: body.checks ?? {} };
}

/** The value of `dependency_outages_total` for one dependency (0 when absent). */
export async function outagesCounted(app: RunningApp, dependency: string): Promise<number> {
  const text = await (await fetch(`${app.url}/metrics`, { signal: AbortSignal.timeout(5_000) })).text();
  const line = text.split('\n').find((l) => l.startsWith('dependency_outages_total{') && l.includes(`dependency="${dependency}"`));
  return line ? Number(line.split(' ').at(-1)) : 0;
}

export interface OutageSubject {
  app: AppName;
  /** The app's environment, given its dependencies' addresses. */
  env(targets: Record<string, OutageTarget & { url?: string; server?: RedisServer }>): Record<string, string>;
  /** Starts the app's dependencies, each of the test's own. */
  targets(): Promise<(OutageTarget & { url?: string; server?: RedisServer; stop(): Promise<void> })[]>;
}

/** Whether a line is one the outage of `dependency` may produce: its own three kinds, and the shutdown's. */
export function isOutageLine(line: LogLine, dependency: string): boolean {
  if (line.event?.startsWith('shutdown_')) return true;
  return ['dependency_down', 'dependency_still_down', 'dependency_up'].includes(line.event ?? '') && line.dependency === dependency;
}

export async function startWithOutageEnv(app: AppName, env: Record<string, string>): Promise<RunningApp> {
  return startApp(app, { ...OUTAGE_TEST_ENV, ...env });
}

/**
 * Issue 17's tests for one app, with each of its dependencies of the test's own: for each dependency, a run that
 * takes it away, checks that the outage is logged as exactly its structured lines (nothing else, nothing on
 * stderr), that /readyz names it and the metric counts it, then stops the app with SIGTERM and checks that it
 * exits, cleanly, within the deadline; and a run that takes each away and brings it back without a restart.
 */
export function describeOutages(subject: OutageSubject & { dependencies: readonly string[] }): void {
  describe(`${subject.app}: dependency outages (issue 17)`, () => {
    let targets: Awaited<ReturnType<OutageSubject['targets']>> = [];
    let byName: Record<string, (typeof targets)[number]> = {};
    let app: RunningApp | undefined;

    beforeAll(async () => {
      targets = await subject.targets();
      byName = Object.fromEntries(targets.map((target) => [target.dependency, target]));
    }, 60_000);
    afterEach(async () => {
      await app?.kill();
      app = undefined;
      for (const target of targets) await target.up();
    });
    afterAll(async () => {
      for (const target of targets) await target.stop();
    });

    // Postgres both partitioned and refusing connections (a stopped server): its client fails differently.
    const outages = subject.dependencies.flatMap((dependency) =>
      dependency === 'postgres' ? [{ dependency, how: 'down' as const }, { dependency, how: 'refuse' as const }] : [{ dependency, how: 'down' as const }],
    );
    for (const { dependency, how } of outages) {
      const state = how === 'refuse' ? 'refusing connections' : 'down';
      it(`with ${dependency} ${state}: its outage in structured lines only, /readyz 503 naming it, counted; SIGTERM ends it cleanly within 10 s`, async () => {
        app = await startWithOutageEnv(subject.app, subject.env(byName));
        const output = followOutput(app);
        output.mark();
        const target = byName[dependency];
        if (how === 'refuse') {
          if (!target.refuse) throw new Error(`${dependency} has no way to refuse connections`);
          await target.refuse();
        } else {
          await target.down();
        }
        const first = await waitForLine(output, (l) => l.event === 'dependency_down' && l.dependency === dependency, `${dependency} outage logged`);
        expect(first).toMatchObject({ dependency, address: expect.stringMatching(/^127\.0\.0\.1:\d+$/), code: expect.stringMatching(/^E[A-Z]+$/) });
        const reminder = await waitForLine(output, (l) => l.event === 'dependency_still_down' && l.dependency === dependency, `${dependency} reminder`);
        expect(reminder.failedAttempts).toBeGreaterThan(1);
        const ready = await readiness(app);
        expect(ready.status).toBe(503);
        expect(ready.checks[dependency]).toMatch(new RegExp(`^${dependency} unreachable at 127\\.0\\.0\\.1:\\d+`));
        expect(await outagesCounted(app, dependency)).toBe(1);

        const stopped = await terminate(app);
        expect(stopped.ms).toBeLessThan(10_000);
        expect(stopped.code).toBe(0);
        expect(output.stderr()).toBe('');
        const lines = output.lines();
        expect(lines.filter((line) => !isOutageLine(line, dependency))).toEqual([]);
        // At most one reminder per period (1 s here): the count of lines follows the time, not the failures.
        const reminders = lines.filter((line) => line.event === 'dependency_still_down');
        const downFor = Math.max(...reminders.map((line) => line.downForMs ?? 0));
        expect(reminders.length).toBeLessThanOrEqual(Math.floor(downFor / 1000) + 1);
        expect(lines.filter((line) => line.event === 'dependency_down')).toHaveLength(1);
      });
    }

    if (subject.dependencies.includes('postgres')) {
      it('SIGTERM as Postgres is partitioned, before its probe has noticed: still exits cleanly within 10 s, nothing on stderr', async () => {
        // No probe within the test: the app stops with Postgres connections it still takes for healthy.
        app = await startWithOutageEnv(subject.app, { ...subject.env(byName), DEPENDENCY_PROBE_MS: '600000' });
        const output = followOutput(app);
        output.mark();
        await byName.postgres.down();
        // A query into the partition, as a request would send: /readyz gives up on it after 2 s, the query stays.
        const ready = await readiness(app);
        expect(ready.checks.postgres).toMatch(/no answer within/);
        const stopped = await terminate(app);
        expect(stopped.ms).toBeLessThan(10_000);
        expect(stopped.code).toBe(0);
        expect(output.stderr()).toBe('');
        expect(output.lines().filter((line) => !isOutageLine(line, 'postgres'))).toEqual([]);
      });
    }

    // A partitioned Redis (not stopped): the app's connections still look ready, and a QUIT sent to one is never
    // answered. The app reaches its Redis through a proxy of this test's, cut in blackhole mode at once.
    for (const dependency of subject.dependencies.filter((name) => name.endsWith('-redis'))) {
      it(`SIGTERM as ${dependency} is partitioned (its connections still ready): exits cleanly within 10 s, nothing on stderr`, async () => {
        const target = byName[dependency];
        const server = target.server;
        if (!server) throw new Error(`${dependency} is not a redis-server of the test's own`);
        const direct = new URL(server.url);
        const proxy = await startTcpProxy({ targetHost: direct.hostname, targetPort: Number(direct.port) });
        try {
          app = await startWithOutageEnv(subject.app, subject.env({ ...byName, [dependency]: { ...target, server: { ...server, url: proxy.url(server.url) } } }));
          const output = followOutput(app);
          output.mark();
          expect(proxy.cut('blackhole')).toBeGreaterThan(0);
          const stopped = await terminate(app);
          expect(stopped.ms).toBeLessThan(10_000);
          expect(stopped.code).toBe(0);
          expect(output.stderr()).toBe('');
          expect(output.lines().filter((line) => !isOutageLine(line, dependency))).toEqual([]);
        } finally {
          await proxy.stop();
        }
      });
    }

    it(`recovers from each outage (${subject.dependencies.join(', ')}) without a restart: /readyz back to 200`, async () => {
      app = await startWithOutageEnv(subject.app, subject.env(byName));
      const output = followOutput(app);
      for (const dependency of subject.dependencies) {
        output.mark();
        await byName[dependency].down();
        await waitForLine(output, (l) => l.event === 'dependency_down' && l.dependency === dependency, `${dependency} outage logged`);
        expect((await readiness(app)).status).toBe(503);
        await byName[dependency].up();
        const end = await waitForLine(output, (l) => l.event === 'dependency_up' && l.dependency === dependency, `${dependency} recovery logged`, 20_000);
        expect(end.downForMs).toBeGreaterThan(0);
        const running = app;
        await until(async () => (await readiness(running)).status === 200, { what: `/readyz 200 after ${dependency} is back`, timeoutMs: 20_000, intervalMs: 100 });
        expect(output.stderr()).toBe('');
        expect(output.lines().filter((line) => !isOutageLine(line, dependency))).toEqual([]);
      }
      const stopped = await terminate(app);
      expect(stopped).toMatchObject({ code: 0 });
      expect(stopped.ms).toBeLessThan(10_000);
    }, 120_000);
  });
}
