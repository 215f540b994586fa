import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import {
  REPO_ROOT,
  createKeyWithCli,
  deleteKeys,
  fixture,
  startApp,
  waitForWorkers,
  type RunningApp,
} from '@nomosly/testing';
import { BENCH_DATABASE_URL, benchAppEnv, benchImages, runBenchWithVisionRedis, startAll } from './run-bench';
import { formatRow, runLoad, type LoadRequest, type LoadResult } from './load';
import { printOverloadRows } from './overload';
import { printScaleOut } from './scale-out';
import { processCpuMs } from './cpu-time';

/**
 * `npm run bench`: latency and throughput of (a) the full gateway path with a null engine, (b) the same
 * answer from a bare route with no auth and no queue, (c) each operation on the local engine, then the
 * overload rows (bench/src/overload.ts) and the scale-out table (bench/src/scale-out.ts).
 * Everything (load generator included) runs on this machine; figures are from one run.
 */
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const LEVELS = (process.env.BENCH_CLIENTS ?? '1,16,64').split(',').map(Number);
/** A directory: the gateway of (a) is CPU-profiled (bench/cpu-profile.cjs) and writes its .cpuprofile there when it stops. */
const CPU_PROF_DIR = process.env.BENCH_CPU_PROF;
/** BENCH_LOCAL=0 stops after (a) and (b), leaving out (c), the overload rows and the scale-out table (a quick look at the gateway's cost). */
const LOCAL_ROWS = process.env.BENCH_LOCAL !== '0';

async function run(redisUrl: string): Promise<void> {
  const { small, photo } = await benchImages();
  const key = createKeyWithCli(BENCH_DATABASE_URL, 'bench@nomosly.local', ['--name', 'bench', '--replace']);
  const headers = (type: string) => ({ authorization: `Bearer ${key}`, 'content-type': type });
  console.log(`machine: ${process.arch}, node ${process.version}, ${SECONDS} s per row, load generator in this process`);
  console.log(`${'case'.padEnd(34)}  cli           p50          p99    throughput`);

  // Each system is stopped whatever its rows throw: no gateway, worker or bare server outlives the bench.
  // (a) full path, null engine
  const nullSystem = await startSystem(redisUrl, 'null', { VISION_CONCURRENCY: '64' }, cpuProfileEnv());
  let fullRows: LoadResult[];
  try {
    const full: LoadRequest = { url: `${nullSystem.gateway.url}/v1/faces/detect`, headers: headers('image/jpeg'), body: small };
    fullRows = await runLevels('(a) gateway + queue, null engine', full, 8, nullSystem.gateway.child.pid);
  } finally {
    await nullSystem.stop();
  }

  // (b) bare route
  const bare = await startBare();
  let bareRows: LoadResult[];
  try {
    const bareRequest: LoadRequest = { url: `${bare.url}/v1/faces/detect`, headers: headers('image/jpeg'), body: small };
    bareRows = await runLevels('(b) bare route, no auth, no queue', bareRequest, 8);
  } finally {
    bare.kill();
  }
  const overhead = fullRows[0].p50 - bareRows[0].p50;
  console.log(`(a) - (b) at p50 with ${LEVELS[0]} client: ${overhead.toFixed(2)} ms (goal <= 1.5 ms)`);

  if (!LOCAL_ROWS) return;
  // (c) local engine, each operation
  const textPhoto = await sharp(fixture('printed_text.png')).resize(640, 480, { fit: 'contain', background: '#fff' }).jpeg().toBuffer();
  const local = await startSystem(redisUrl, 'local', {});
  try {
    const cases: Array<[string, string, Buffer, string]> = [
      ['faces.detect', '/v1/faces/detect', photo, 'image/jpeg'],
      ['labels.detect', '/v1/labels/detect', photo, 'image/jpeg'],
      ['text.detect', '/v1/text/detect', textPhoto, 'image/jpeg'],
    ];
    for (const [name, route, body, type] of cases) {
      const request = { url: `${local.gateway.url}${route}`, headers: headers(type), body };
      await runLevels(`(c) ${name}, local engine`, request, 1);
    }
    const compare = {
      url: `${local.gateway.url}/v1/faces/compare`,
      headers: headers('application/json'),
      body: Buffer.from(JSON.stringify({ source: photo.toString('base64'), target: photo.toString('base64') })),
    };
    await runLevels('(c) faces.compare, local engine', compare, 1);
  } finally {
    await local.stop();
  }
  await printOverloadRows(redisUrl);
  await printScaleOut(redisUrl, key);
}

/**
 * A one-second warm-up, then one row per client level. Given the gateway's pid, each row also says the gateway's
 * own CPU time per call (user + system, from /proc): steadier than latency on a shared machine.
 */
async function runLevels(label: string, request: LoadRequest, warmupClients: number, gatewayPid?: number): Promise<LoadResult[]> {
  await runLoad(request, warmupClients, 1);
  const rows: LoadResult[] = [];
  for (const clients of LEVELS) {
    const cpuBefore = processCpuMs(gatewayPid);
    const row = await runLoad(request, clients, SECONDS);
    rows.push(row);
    const cpuAfter = processCpuMs(gatewayPid);
    const cpu = cpuBefore !== null && cpuAfter !== null && row.requests > 0 ? (cpuAfter - cpuBefore) / row.requests : null;
    console.log(formatRow(label, row) + (cpu !== null ? `   gateway CPU ${cpu.toFixed(2)} ms/call` : ''));
  }
  return rows;
}

function cpuProfileEnv(): Record<string, string> {
  if (!CPU_PROF_DIR) return {};
  console.log(`gateway of (a) CPU-profiled into ${CPU_PROF_DIR}`);
  const dir = path.resolve(CPU_PROF_DIR);
  // The profile is written as the gateway exits, when a missing directory could no longer be reported.
  mkdirSync(dir, { recursive: true });
  return { NODE_OPTIONS: `--require ${path.join(REPO_ROOT, 'bench/cpu-profile.cjs')}`, BENCH_CPU_PROF_DIR: dir };
}

async function startSystem(
  redisUrl: string,
  engine: 'null' | 'local',
  workerEnv: Record<string, string>,
  gatewayEnv: Record<string, string> = {},
) {
  const env = { ...benchAppEnv(redisUrl, 'bench'), ENGINE: engine };
  const [worker, gateway]: RunningApp[] = await startAll([startApp('vision-worker', { ...env, ...workerEnv }), startApp('gateway', { ...env, ...gatewayEnv })]);
  const stop = async () => {
    await Promise.all([worker.stop(), gateway.stop()]);
    await deleteKeys(redisUrl, `${env.QUEUE_PREFIX}:*`);
  };
  try {
    // The gateway answers 503 until it counts the worker (once a second).
    await waitForWorkers(gateway.url, 1);
    // The profile starts now: start-up is not what the rows measure.
    if (gatewayEnv.BENCH_CPU_PROF_DIR) gateway.child.kill('SIGUSR2');
  } catch (error) {
    await stop();
    throw error;
  }
  return { gateway, stop };
}

function startBare(): Promise<{ url: string; kill(): void }> {
  const child = spawn(process.execPath, [path.join(REPO_ROOT, 'dist/bench/src/bare-server.js')], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      const match = /bare (\S+)/.exec(chunk.toString());
      if (match) resolve({ url: match[1].replace('[::1]', '127.0.0.1'), kill: () => child.kill() });
    });
    child.once('exit', (code) => reject(new Error(`bare server exited with ${code}`)));
  });
}

runBenchWithVisionRedis(run);
