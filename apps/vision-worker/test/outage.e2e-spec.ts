import { spawn } from 'node:child_process';
import path from 'node:path';
import { Queue, QueueEvents } from 'bullmq';
import Redis from 'ioredis';
import { QueueName, VisionKeys, type VisionJob } from '@nomosly/contracts';
import {
  OUTAGE_TEST_ENV,
  REPO_ROOT,
  type RedisServer,
  type RunningApp,
  describeOutages,
  freePort,
  isOutageLine,
  fixture,
  followOutput,
  redisOutageTarget,
  startRedisServer,
  startWithOutageEnv,
  terminate,
  until,
  waitForLine,
} from '@nomosly/testing';

describeOutages({
  app: 'vision-worker',
  dependencies: ['vision-redis'],
  targets: async () => {
    const redis = await redisOutageTarget('vision-redis');
    return [{ ...redis, stop: () => redis.server.stop() }];
  },
  env: (targets) => ({ VISION_REDIS_URL: targets['vision-redis'].server?.url ?? '', ENGINE: 'null', QUEUE_PREFIX: 'outage' }),
});

describe('vision-worker: a job that cannot finish before the shutdown deadline (issue 17)', () => {
  const prefix = 'outage-in-flight';
  let server: RedisServer;
  let queue: Queue;
  let redis: Redis;

  beforeAll(async () => {
    server = await startRedisServer();
    const url = new URL(server.url);
    queue = new Queue(QueueName.Vision, { connection: { host: url.hostname, port: Number(url.port) }, prefix });
    redis = new Redis(server.url);
    // The test's own clients live through the outage of the last test too.
    queue.on('error', () => undefined);
    redis.on('error', () => undefined);
  });
  afterAll(async () => {
    await queue?.close();
    redis?.disconnect();
    await server?.stop();
  });

  async function startWithJobInFlight(requestId: string) {
    const worker = await startWithOutageEnv('vision-worker', {
      VISION_REDIS_URL: server.url,
      ENGINE: 'null',
      NULL_ENGINE_DELAY_MS: '60000',
      QUEUE_PREFIX: prefix,
      SHUTDOWN_TIMEOUT_MS: '2000',
      // Short, so that the stalled check of the last test fits in it.
      QUEUE_LOCK_MS: '2000',
      QUEUE_STALLED_CHECK_MS: '500',
    });
    const job: VisionJob = {
      requestId,
      operation: 'faces.detect',
      params: {},
      replyChannel: VisionKeys.replyChannel(prefix, 'test'),
      deadline: Date.now() + 60_000,
      images: [{ key: VisionKeys.image(prefix, requestId, 0), format: 'png', width: 512, height: 512, orientation: 1 }],
    };
    await redis.set(job.images[0].key, fixture('astronaut.png'));
    await queue.add('faces.detect', job, { jobId: job.requestId, attempts: 1 });
    // Active in Redis is not enough: BullMQ marks a job active before its worker starts it, and a worker told to
    // stop in between closes at once. The image is taken (GETDEL) only once the job runs.
    await until(async () => (await queue.getJobState(job.requestId)) === 'active' && (await redis.exists(job.images[0].key)) === 0, {
      what: 'the job running on the worker',
      timeoutMs: 10_000,
    });
    return worker;
  }

  it('exits at the deadline with code 1, leaving the job active in Redis for BullMQ to find stalled, not lost', async () => {
    const worker = await startWithJobInFlight('in-flight-1');
    const stopped = await terminate(worker);
    expect(stopped.code).toBe(1);
    expect(stopped.ms).toBeGreaterThanOrEqual(2_000);
    expect(stopped.ms).toBeLessThan(4_000);
    expect(worker.logs()).toMatch(/"event":"shutdown_timed_out"/);
    // Still active, its lock no longer renewed: another worker's stalled check takes it from here.
    expect(await queue.getJobState('in-flight-1')).toBe('active');
    expect(await redis.exists(`${prefix}:${QueueName.Vision}:in-flight-1:lock`)).toBe(1);
  });

  it('maxStalledCount 0: the stalled job ends failed in the next worker, never run twice, no answer published (so nothing billed)', async () => {
    const replies = new Redis(server.url);
    const published: string[] = [];
    await replies.subscribe(VisionKeys.replyChannel(prefix, 'test'));
    replies.on('message', (_channel, message: string) => published.push(message));
    const events = new QueueEvents(QueueName.Vision, { connection: { host: new URL(server.url).hostname, port: Number(new URL(server.url).port) }, prefix });
    const failed: { jobId: string; failedReason: string }[] = [];
    events.on('failed', ({ jobId, failedReason }) => failed.push({ jobId, failedReason }));
    await events.waitUntilReady();
    try {
      const first = await startWithJobInFlight('in-flight-3');
      expect((await terminate(first)).code).toBe(1);
      const second = await startWithOutageEnv('vision-worker', { VISION_REDIS_URL: server.url, ENGINE: 'null', QUEUE_PREFIX: prefix, QUEUE_LOCK_MS: '2000', QUEUE_STALLED_CHECK_MS: '500' });
      try {
        await until(async () => failed.some((event) => event.jobId === 'in-flight-3'), { what: 'the stalled job failed', timeoutMs: 20_000 });
        expect(failed.find((event) => event.jobId === 'in-flight-3')?.failedReason).toMatch(/stalled more than allowable limit/);
        const job = await queue.getJob('in-flight-3');
        expect(await job?.getState()).toBe('failed');
        // The second worker takes it only to fail it (BullMQ 5 marks it to be failed, then moves it on): its handler
        // never runs, nothing is timed, no answer goes out.
        const metrics = await (await fetch(`${second.url}/metrics`)).text();
        expect(metrics).not.toMatch(/^vision_job_duration_seconds_count\{[^}]*\} [1-9]/m);
        expect(published).toEqual([]);
        expect((await terminate(second)).code).toBe(0);
      } finally {
        await second.kill();
      }
    } finally {
      await events.close();
      replies.disconnect();
    }
  });

  it('with its Redis gone as well, still exits at the deadline, code 1, nothing on stderr', async () => {
    const worker = await startWithJobInFlight('in-flight-2');
    const output = followOutput(worker);
    await server.shutdown();
    try {
      await waitForLine(output, (line) => line.event === 'dependency_down', 'the outage logged');
      const stopped = await terminate(worker);
      expect(stopped.code).toBe(1);
      expect(stopped.ms).toBeLessThan(4_000);
      expect(output.stderr()).toBe('');
      expect(output.lines().map((line) => line.event)).toEqual(['dependency_down', 'shutdown_started', 'shutdown_timed_out']);
    } finally {
      await server.start();
    }
  });
});

describe('vision-worker: SIGTERM while it waits for its Redis at start (issue 17)', () => {
  it('its outage as one structured line, nothing on stderr; SIGTERM ends the wait at once with code 0', async () => {
    const redis = await redisOutageTarget('vision-redis');
    await redis.down();
    // Not startApp: the worker serves no HTTP until its Redis has answered.
    const child = spawn(process.execPath, ['--enable-source-maps', path.join(REPO_ROOT, 'dist/apps/vision-worker/src/main.js')], {
      cwd: REPO_ROOT,
      env: { PATH: process.env.PATH ?? '', NODE_ENV: 'test', HOST: '127.0.0.1', PORT: String(await freePort()), ...OUTAGE_TEST_ENV, VISION_REDIS_URL: redis.server.url, ENGINE: 'null' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const worker = { child } as RunningApp;
    try {
      const output = followOutput(worker);
      const down = await waitForLine(output, (line) => line.event === 'dependency_down', 'the outage logged', 30_000);
      expect(down).toMatchObject({ dependency: 'vision-redis', address: new URL(redis.server.url).host, code: 'ECONNREFUSED' });
      const stopped = await terminate(worker);
      expect(stopped.code).toBe(0);
      expect(stopped.ms).toBeLessThan(10_000);
      expect(output.stderr()).toBe('');
      expect(output.lines().filter((line) => !isOutageLine(line, 'vision-redis'))).toEqual([]);
      expect(output.lines().map((line) => line.event)).toContain('shutdown_finished');
    } finally {
      child.kill('SIGKILL');
      await redis.server.stop();
    }
  });
});
