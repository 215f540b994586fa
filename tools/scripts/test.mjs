#!/usr/bin/env node
// `npm test`: the whole suite on a fresh clone. Installs what is missing, starts PostgreSQL when it is installed
// but stopped, starts a Redis of the run's own that keeps nothing (the vision Redis of P1; unless TEST_REDIS_URL
// names one, which the global setup then checks), builds when a source is newer than dist/, then runs every
// project's specs with jest and prints a closing line "N passed, N failed".
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { buildIfStale } from './lib/build-state.mjs';
import { MissingPrerequisite, REPO_ROOT as root, prepareMachine } from './lib/prerequisites.mjs';

const databaseUrl = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/nomosly_test';
let redisUrl = process.env.TEST_REDIS_URL;

try {
  // Without TEST_REDIS_URL, a redis-server must be installed for the run's own Redis: said now, before the build.
  await prepareMachine({ databaseUrl, redisUrl, redisServer: !redisUrl, browser: true });
} catch (error) {
  console.error(error instanceof MissingPrerequisite ? `npm test: ${error.message}` : error);
  process.exit(1);
}

// Built only when a source is newer than dist/ (always on a fresh clone); jest's global setup then finds it current.
try {
  await buildIfStale(root);
} catch (error) {
  console.error(`npm test: ${error.message}`);
  process.exit(1);
}

// The tests' Redis (TEST_REDIS_URL): the one named, else one of the run's own on a free port that keeps nothing by
// construction (P1), since the end-to-end specs use it as the vision Redis the apps check at start; it carries the
// events too (the fault tests start the events Redis they restart or kill themselves). Started with libs/testing's
// own function, from the build: it dies with this process at the latest.
const { visionRedisFor } = createRequire(import.meta.url)(path.join(root, 'dist/libs/testing/src/redis-server.js'));
let redis;
try {
  redis = await visionRedisFor(redisUrl);
} catch (error) {
  console.error(`npm test: the tests' Redis did not start: ${error.message}`);
  process.exit(1);
}
process.once('exit', () => void redis.stop());
for (const signal of ['SIGINT', 'SIGTERM']) process.once(signal, () => process.exit(1));
redisUrl = redis.url;

const results = path.join(os.tmpdir(), `nomosly-jest-${process.pid}.json`);
const jest = spawnSync(
  process.execPath,
  [path.join(root, 'node_modules/jest/bin/jest.js'), '--ci', '--maxWorkers=2', '--json', `--outputFile=${results}`, ...process.argv.slice(2)],
  { stdio: 'inherit', cwd: root, env: { ...process.env, TEST_DATABASE_URL: databaseUrl, TEST_REDIS_URL: redisUrl } },
);
let summary = null;
try {
  summary = JSON.parse(readFileSync(results, 'utf8'));
  rmSync(results, { force: true });
} catch {
  // jest failed before writing results
}
if (summary) {
  const skipped = summary.numPendingTests + summary.numTodoTests;
  console.log(`\n${summary.numPassedTests} passed, ${summary.numFailedTests} failed${skipped ? `, ${skipped} skipped` : ''}`);
  if (summary.numTotalTests === 0) {
    console.error('npm test: no test ran');
    await redis.stop();
    process.exit(1);
  }
}
await redis.stop();
process.exit(jest.status ?? 1);
