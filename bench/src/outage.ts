import {
  type AppName,
  OUTAGE_TEST_ENV,
  type OutageTarget,
  POLAR_NOT_CALLED_ENV,
  type RunningApp,
  type TcpProxy,
  followOutput,
  postgresOutageTarget,
  redisOutageTarget,
  STAND_IN_ENV,
  type StandInName,
  startApp,
  startStandInProcess,
  terminate,
  waitForLine,
} from '@nomosly/testing';
import { BENCH_DATABASE_URL, runBench } from './run-bench';

/**
 * `npm run bench:outage` (issue 17's figures): for each app and each of its dependencies, the time from SIGTERM to
 * exit while that dependency is down (Redis stopped; Postgres partitioned behind a proxy, and refusing), beside the time with all
 * up; then every app at once with all its dependencies down for BENCH_OUTAGE_SECONDS (default 60) with the
 * production settings (a reminder a minute, Postgres probed every 5 s), and the log lines that outage produced.
 * Each app gets dependencies of its own (redis-servers, a proxy to the bench's database: DATABASE_URL, else
 * TEST_DATABASE_URL, else the tests' default). Last, the stand-ins' own SIGTERM-to-exit times (idp-local,
 * polar-local, rekognition-local; polar-local also while it holds a request that never ends).
 */
const OUTAGE_SECONDS = Number(process.env.BENCH_OUTAGE_SECONDS ?? 60);

type Target = OutageTarget & { url: string; stop(): Promise<void> };

interface Subject {
  app: AppName;
  dependencies: string[];
  env(targets: Record<string, Target>): Record<string, string>;
}

const POLAR_ENV = { ...POLAR_NOT_CALLED_ENV, POLAR_WEBHOOK_SECRET: `whsec_${Buffer.from('bench-outage-secret').toString('base64')}` };

const SUBJECTS: Subject[] = [
  {
    app: 'gateway',
    dependencies: ['vision-redis', 'events-redis', 'postgres'],
    env: (t) => ({ VISION_REDIS_URL: t['vision-redis'].url, EVENTS_REDIS_URL: t['events-redis'].url, DATABASE_URL: t.postgres.url }),
  },
  { app: 'vision-worker', dependencies: ['vision-redis'], env: (t) => ({ VISION_REDIS_URL: t['vision-redis'].url, ENGINE: 'null' }) },
  {
    app: 'usage',
    dependencies: ['events-redis', 'postgres'],
    env: (t) => ({ EVENTS_REDIS_URL: t['events-redis'].url, DATABASE_URL: t.postgres.url, RETENTION_SWEEP_CRON: '' }),
  },
  {
    app: 'console',
    dependencies: ['events-redis', 'postgres'],
    env: (t) => ({ EVENTS_REDIS_URL: t['events-redis'].url, DATABASE_URL: t.postgres.url, ...POLAR_NOT_CALLED_ENV }),
  },
  {
    app: 'billing',
    dependencies: ['events-redis', 'postgres'],
    env: (t) => ({
      EVENTS_REDIS_URL: t['events-redis'].url,
      DATABASE_URL: t.postgres.url,
      ...POLAR_ENV,
      BILLING_RECONCILE_CRON: '',
      BILLING_SEND_USAGE: 'false',
    }),
  },
];

async function targetsFor(subject: Subject): Promise<Record<string, Target>> {
  const targets: Record<string, Target> = {};
  for (const dependency of subject.dependencies) {
    if (dependency === 'postgres') {
      const postgres = await postgresOutageTarget(BENCH_DATABASE_URL);
      targets[dependency] = { ...postgres, stop: () => postgres.proxy.stop() };
    } else {
      const redis = await redisOutageTarget(dependency);
      targets[dependency] = { ...redis, url: redis.server.url, stop: () => redis.server.stop() };
    }
  }
  return targets;
}

function start(subject: Subject, targets: Record<string, Target>, env: Record<string, string>): Promise<RunningApp> {
  return startApp(subject.app, { QUEUE_PREFIX: `bench-outage-${subject.app}`, ...subject.env(targets), ...env });
}

/** SIGTERM to exit with `dependency` down (none: all up); Postgres `refused` is a stopped server, not a partition. */
async function shutdownTime(subject: Subject, targets: Record<string, Target>, dependency: string | null, refused = false): Promise<void> {
  const app = await start(subject, targets, OUTAGE_TEST_ENV);
  const output = followOutput(app);
  try {
    if (dependency) {
      const target = targets[dependency];
      if (refused && 'proxy' in target) (target.proxy as TcpProxy).cut('reset');
      else await target.down();
      await waitForLine(output, (line) => line.event === 'dependency_down' && line.dependency === dependency, `${subject.app}: ${dependency} down`);
    }
    const stopped = await terminate(app);
    const state = dependency ? `${dependency}-${refused ? 'refusing' : 'down'}` : 'all-up';
    console.log(`FIGURE shutdown ${subject.app} ${state}: exit ${stopped.code} in ${stopped.ms} ms`);
  } finally {
    await app.kill();
    if (dependency) await targets[dependency].up();
  }
}

/** Every dependency of the app down for OUTAGE_SECONDS, production reminder and probe periods: the lines it logged. */
async function longOutage(subject: Subject, targets: Record<string, Target>): Promise<void> {
  const app = await start(subject, targets, {});
  const output = followOutput(app);
  try {
    output.mark();
    for (const dependency of subject.dependencies) await targets[dependency].down();
    await new Promise((resolve) => setTimeout(resolve, OUTAGE_SECONDS * 1000));
    for (const dependency of subject.dependencies) await targets[dependency].up();
    for (const dependency of subject.dependencies) {
      await waitForLine(output, (line) => line.event === 'dependency_up' && line.dependency === dependency, `${subject.app}: ${dependency} back`, 30_000);
    }
    const lines = output.lines();
    for (const dependency of subject.dependencies) {
      const own = lines.filter((line) => line.dependency === dependency && line.event?.startsWith('dependency_'));
      const events = own.map((line) => line.event?.replace('dependency_', '')).join(', ');
      const end = own.find((line) => line.event === 'dependency_up');
      console.log(
        `FIGURE outage-${OUTAGE_SECONDS}s ${subject.app} ${dependency}: ${own.length} lines (${events}); ${end?.failedAttempts} failed attempts in ${end?.downForMs} ms`,
      );
      // The lines themselves, as an operator's log shows them.
      for (const line of own) console.log(`  ${JSON.stringify(line)}`);
    }
    const others = lines.filter((line) => !line.event?.startsWith('dependency_'));
    console.log(`FIGURE outage-${OUTAGE_SECONDS}s ${subject.app} other lines: ${others.length}; stderr: ${output.stderr().length} bytes`);
    for (const line of others.slice(0, 5)) console.log(`  other: ${JSON.stringify(line).slice(0, 200)}`);
  } finally {
    await app.kill();
  }
}

/** A stand-in's SIGTERM to exit, idle; polar-local also while it holds a request that never ends (POLAR_LOCAL_FAULT=hang). */
async function standInShutdownTime(name: StandInName, hanging = false): Promise<void> {
  const standIn = await startStandInProcess(name, hanging ? { POLAR_LOCAL_FAULT: 'hang' } : {});
  try {
    let held: Promise<unknown> = Promise.resolve();
    if (hanging) {
      held = fetch(`${standIn.url}/v1/products/`, { headers: { authorization: `Bearer ${STAND_IN_ENV['polar-local'].POLAR_ACCESS_TOKEN}` } }).catch(() => undefined);
      await new Promise((resolve) => setTimeout(resolve, 300));
    }
    const stopped = await terminate({ child: standIn.child } as RunningApp);
    await held;
    console.log(`FIGURE shutdown ${name} ${hanging ? 'holding-a-hanging-request' : 'idle'}: exit ${stopped.code} in ${stopped.ms} ms`);
  } finally {
    standIn.child.kill('SIGKILL');
  }
}

async function main(): Promise<void> {
  const targets = new Map<Subject, Record<string, Target>>();
  try {
    for (const subject of SUBJECTS) targets.set(subject, await targetsFor(subject));
    for (const subject of SUBJECTS) {
      const own = targets.get(subject) as Record<string, Target>;
      await shutdownTime(subject, own, null);
      for (const dependency of subject.dependencies) await shutdownTime(subject, own, dependency);
      if (subject.dependencies.includes('postgres')) await shutdownTime(subject, own, 'postgres', true);
    }
    for (const name of Object.keys(STAND_IN_ENV) as StandInName[]) await standInShutdownTime(name);
    await standInShutdownTime('polar-local', true);
    console.log(`every app with all its dependencies down for ${OUTAGE_SECONDS} s, at once...`);
    await Promise.all(SUBJECTS.map((subject) => longOutage(subject, targets.get(subject) as Record<string, Target>)));
  } finally {
    for (const own of targets.values()) for (const target of Object.values(own)) await target.stop();
  }
}

runBench(main);
