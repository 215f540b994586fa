#!/usr/bin/env node
// `npm run break -- <name...>`: shows that a proof can fail. Each tools/breaks/<name>.patch breaks one promise on
// purpose; this applies it to a scratch copy of the committed tree (git worktree, never this one), runs the specs
// its header names, and says CAUGHT when they fail by name, MISSED when they pass, ERROR when the run proves
// nothing. `--list` lists the breaks; no name runs them all. Exit 0 only when every break asked for was caught.
// Ctrl-C stops after the current break's cleanup (its worktree and database).
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, utimesSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const breaksDir = path.join(root, 'tools', 'breaks');
const { Client } = createRequire(import.meta.url)('pg');

/** The PostgreSQL server the breaks' databases live on: TEST_DATABASE_URL's server when set. */
function postgresServer() {
  const url = new URL(process.env.BREAK_POSTGRES_URL ?? process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432');
  url.pathname = '';
  return url;
}

function databaseUrl(name) {
  const url = postgresServer();
  url.pathname = `/${name}`;
  return url.toString();
}

/** Drops a break's database (and ends any connection still open to it). */
async function dropDatabase(name) {
  const client = new Client({ connectionString: databaseUrl('postgres') });
  await client.connect();
  try {
    await client.query(`drop database if exists "${name}" with (force)`);
  } finally {
    await client.end();
  }
}

/** A patch's header, before its first `diff --git`: `Promise:`, `Break:`, `Caught by:` and `Specs:` lines. */
function readBreak(file) {
  const text = readFileSync(file, 'utf8');
  const header = text.slice(0, Math.max(0, text.indexOf('diff --git')));
  const field = (name) => new RegExp(`^${name}:\\s*(.+)$`, 'm').exec(header)?.[1].trim();
  const specs = field('Specs');
  if (!field('Promise') || !field('Break') || !specs) throw new Error(`${path.basename(file)}: its header needs Promise:, Break: and Specs: lines`);
  return { name: path.basename(file, '.patch'), file, promise: field('Promise'), what: field('Break'), caughtBy: field('Caught by') ?? specs, specs: specs.split(/\s+/) };
}

function allBreaks() {
  return readdirSync(breaksDir)
    .filter((name) => name.endsWith('.patch'))
    .sort()
    .map((name) => readBreak(path.join(breaksDir, name)));
}

function run(command, args, options = {}) {
  return spawnSync(command, args, { encoding: 'utf8', ...options });
}

let interrupted = false;
/** The test run under way, in a process group of its own: Ctrl-C reaches it through this script only. */
let current = null;

/** Runs the test command, collecting its output; a Ctrl-C here is passed on to its whole process group. */
function runTests(scratch, args, env) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(scratch, 'tools/scripts/test.mjs'), ...args], { cwd: scratch, env, detached: true });
    current = child;
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', (error) => {
      current = null;
      resolve({ status: null, stdout, stderr: `${stderr}\n${error.message}` });
    });
    child.on('close', (status) => {
      current = null;
      resolve({ status, stdout, stderr });
    });
  });
}

/** Why a run proves nothing, with the last lines it printed. */
function errorDetail(reason, output) {
  const tail = output.trimEnd().split('\n').slice(-15).map((line) => `    | ${line}`);
  return [reason, ...tail].join('\n');
}

async function tryBreak(entry) {
  // A database of the break's own (a break may migrate its schema: a new column, say), dropped before and after.
  const database = `nomosly_break_${process.pid}_${entry.name.replace(/[^a-z0-9]+/gi, '_').toLowerCase()}`.slice(0, 63);
  let scratch = null;
  let added = false;
  try {
    scratch = mkdtempSync(path.join(os.tmpdir(), `nomosly-break-${entry.name}-`));
    const worktree = run('git', ['worktree', 'add', '--detach', scratch, 'HEAD'], { cwd: root });
    if (worktree.status !== 0) return { verdict: 'ERROR', detail: `git worktree add failed: ${worktree.stderr.trim()}` };
    added = true;
    await dropDatabase(database);
    symlinkSync(path.join(root, 'node_modules'), path.join(scratch, 'node_modules'), 'dir');
    const applied = run('git', ['apply', '--whitespace=nowarn', entry.file], { cwd: scratch });
    if (applied.status !== 0) return { verdict: 'STALE', detail: `the patch no longer applies: ${applied.stderr.trim().split('\n')[0]}` };
    // The checkout (and a patch that touches them) is newer than the shared node_modules: without this, the test
    // command would reinstall into it.
    for (const file of ['package.json', 'package-lock.json']) utimesSync(path.join(scratch, file), 0, 0);
    const tests = await runTests(scratch, entry.specs, { ...process.env, TEST_DATABASE_URL: databaseUrl(database) });
    if (interrupted) return { verdict: 'ERROR', detail: 'interrupted' };
    const output = `${tests.stdout}\n${tests.stderr}`;
    const summary = /^(\d+) passed, (\d+) failed/m.exec(tests.stdout);
    if (tests.status === 0 && summary) return { verdict: 'MISSED', detail: summary[0] };
    // Jest names each failed test in a "● suite › test" heading, however many spec files ran.
    const failed = [...new Set(output.split('\n').map((line) => /^\s*● (.+ › .+)$/.exec(line)?.[1]).filter(Boolean))];
    // Caught only when tests ran and some failed by name: a build, migration or database failure, or a Specs
    // pattern that matches nothing, also exits non-zero, and proves nothing.
    if (summary && Number(summary[2]) > 0 && failed.length > 0) {
      return { verdict: 'CAUGHT', detail: [summary[0], ...failed.slice(0, 6).map((title) => `    ✕ ${title}`)].join('\n') };
    }
    return { verdict: 'ERROR', detail: errorDetail(summary ? `${summary[0]}, no failing test named` : `the specs exited ${tests.status} without a summary`, output) };
  } catch (error) {
    return { verdict: 'ERROR', detail: error.message };
  } finally {
    await dropDatabase(database).catch(() => undefined);
    if (added) run('git', ['worktree', 'remove', '--force', scratch], { cwd: root });
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  }
}

process.on('SIGINT', () => {
  if (!interrupted) console.error('\nnpm run break: interrupted; cleaning up the current break, then stopping');
  interrupted = true;
  if (current?.pid) {
    try {
      process.kill(-current.pid, 'SIGINT');
    } catch {
      // already gone
    }
  }
});

const args = process.argv.slice(2);
const breaks = allBreaks();
if (args.includes('--list')) {
  for (const entry of breaks) console.log(`${entry.name}  ${entry.promise}  ${entry.what}  (caught by ${entry.caughtBy})`);
  process.exit(0);
}
const unknown = args.filter((name) => !breaks.some((entry) => entry.name === name));
if (unknown.length) {
  console.error(`npm run break: no such break: ${unknown.join(', ')} (npm run break -- --list)`);
  process.exit(2);
}
// Worktrees of an earlier run that was killed before its cleanup: forgotten, so that none stands in the way.
run('git', ['worktree', 'prune'], { cwd: root });
const chosen = args.length ? breaks.filter((entry) => args.includes(entry.name)) : breaks;
let missed = 0;
let tried = 0;
for (const entry of chosen) {
  if (interrupted) break;
  console.log(`${entry.name} (${entry.promise}): ${entry.what}`);
  const outcome = await tryBreak(entry);
  tried++;
  if (outcome.verdict !== 'CAUGHT') missed++;
  console.log(`  ${outcome.verdict} by ${entry.caughtBy}: ${outcome.detail}`);
}
console.log(`\n${tried - missed} of ${chosen.length} breaks caught${interrupted ? ' (interrupted)' : ''}`);
process.exit(missed || interrupted ? 1 : 0);
