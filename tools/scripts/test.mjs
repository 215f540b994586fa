#!/usr/bin/env node
// `npm test`: the whole suite on a fresh clone. Installs what is missing, starts PostgreSQL when it is installed
// but stopped, starts a Redis of the run's own that keeps nothing (the vision Redis of P1; unless TEST_REDIS_URL
// names one, which the global setup then checks), builds when a source is newer than dist/, then runs every
// project's specs with jest and prints a closing line "N passed, N failed".
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildIfStale } from './lib/build-state.mjs';
import { MissingPrerequisite, REPO_ROOT as root, prepareMachine } from './lib/prerequisites.mjs';
import { startTestRedis } from './lib/test-redis.mjs';

const databaseUrl = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/nomosly_test';
let redisUrl = process.env.TEST_REDIS_URL;

try {
  await prepareMachine({ databaseUrl, redisUrl });
  redisUrl ??= (await startTestRedis()).url;
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
    process.exit(1);
  }
}
process.exit(jest.status ?? 1);
