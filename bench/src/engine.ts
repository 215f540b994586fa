import { readFileSync } from 'node:fs';
import sharp from 'sharp';
import {
  GENEROUS_TEST_PLANS,
  TEST_DATABASE_URL,
  createKeyWithCli,
  deleteKeys,
  fixture,
  startApp,
  uniquePrefix,
  waitForWorkers,
  type RunningApp,
} from '@nomosly/testing';
import { runBenchWithVisionRedis } from './run-bench';
import { createEngine } from '@nomosly/engines';
import { inspectImage } from '@nomosly/images';
import { formatRow, runLoad } from './load';

/**
 * `npm run bench:engine`: the local engine on its own (model load time, warm p50/p95 per operation on a
 * 640 x 480 JPEG, RSS), then the whole path's throughput with 1 and 2 worker processes.
 */
const RUNS = Number(process.env.BENCH_RUNS ?? 20);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);

async function run(redisUrl: string): Promise<void> {
  const photo = await sharp(fixture('grace_hopper.jpg')).resize(640, 480, { fit: 'cover' }).jpeg({ quality: 90 }).toBuffer();
  const textPhoto = await sharp(fixture('printed_text.png')).resize(640, 480, { fit: 'contain', background: '#fff' }).jpeg().toBuffer();
  const [image, textImage] = await Promise.all([inspectImage(photo), inspectImage(textPhoto)]);

  const engine = createEngine('local');
  const rssBefore = process.memoryUsage().rss;
  const loadStarted = performance.now();
  await engine.start();
  try {
    console.log(`model load and warm-up: ${(performance.now() - loadStarted).toFixed(0)} ms`);
    const cases: Array<[string, () => Promise<unknown>]> = [
      ['faces.detect', () => engine.detectFaces(image)],
      ['faces.compare', () => engine.compareFaces(image, image, { similarityThreshold: 80 })],
      ['labels.detect', () => engine.detectLabels(image, { maxLabels: 20, minConfidence: 50 })],
      ['text.detect', () => engine.detectText(textImage)],
    ];
    console.log(`${'operation (640 x 480 JPEG, warm)'.padEnd(34)}        p50          p95`);
    for (const [name, run] of cases) {
      for (let i = 0; i < 3; i++) await run();
      const times: number[] = [];
      for (let i = 0; i < RUNS; i++) {
        const started = performance.now();
        await run();
        times.push(performance.now() - started);
      }
      times.sort((a, b) => a - b);
      const at = (q: number) => times[Math.min(times.length - 1, Math.floor(q * times.length))];
      console.log(`${name.padEnd(34)} ${`${at(0.5).toFixed(1)} ms`.padStart(10)} ${`${at(0.95).toFixed(1)} ms`.padStart(12)}`);
    }
    console.log(`RSS of one process with the local engine: ${mib(process.memoryUsage().rss)} (${mib(rssBefore)} before loading)`);
  } finally {
    await engine.stop();
  }

  const key = createKeyWithCli(TEST_DATABASE_URL, 'bench@nomosly.local', ['--name', 'bench', '--replace']);
  const request = { headers: { authorization: `Bearer ${key}`, 'content-type': 'image/jpeg' }, body: photo };
  for (const workers of [1, 2]) {
    // A plan the load cannot reach: this measures the engine, not the limits.
    const env = {
      DATABASE_URL: TEST_DATABASE_URL,
      VISION_REDIS_URL: redisUrl,
      EVENTS_REDIS_URL: redisUrl,
      QUEUE_PREFIX: uniquePrefix('bench-engine'),
      PLANS: GENEROUS_TEST_PLANS,
      LOG_LEVEL: 'warn',
    };
    // Everything started is stopped, whatever a row throws: no gateway or worker outlives the bench.
    const started: RunningApp[] = [];
    try {
      const gateway = await startApp('gateway', env);
      started.push(gateway);
      for (let i = 0; i < workers; i++) started.push(await startApp('vision-worker', { ...env, ENGINE: 'local' }));
      await waitForWorkers(gateway.url, workers);
      const target = { ...request, url: `${gateway.url}/v1/faces/detect` };
      await runLoad(target, workers * 2, 2);
      console.log(formatRow(`faces.detect, ${workers} worker process${workers > 1 ? 'es' : ''}`, await runLoad(target, workers * 4, SECONDS)));
      console.log(`  RSS per worker process: ${started.slice(1).map((w) => mib(rssOf(w.child.pid))).join(', ')}`);
    } finally {
      await Promise.all(started.map((app) => app.stop()));
      await deleteKeys(redisUrl, `${env.QUEUE_PREFIX}:*`);
    }
  }
}

function rssOf(pid: number | undefined): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) * 1024;
}

function mib(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(0)} MiB`;
}

runBenchWithVisionRedis(run);
