#!/usr/bin/env node
// `npm start`: installs what is missing, starts PostgreSQL and Redis if they are stopped, builds, migrates,
// starts every app, waits until each is ready, then prints one line per app and a demo API key.
// What it keeps (logs, the ops password, the events Redis's files, idp-local's signing key) goes under
// NOMOSLY_STATE_DIR (default .nomosly/); NOMOSLY_SKIP_BUILD=1 runs dist/ as it is (a caller that has just built).
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { buildIfStale } from './lib/build-state.mjs';
import { openDailyLog } from './lib/daily-log.mjs';
import {
  MissingPrerequisite,
  REPO_ROOT as root,
  ensureRedis,
  portOpen,
  prepareMachine,
  visionRedisMemoryArgs,
} from './lib/prerequisites.mjs';

const host = process.env.HOST ?? '127.0.0.1';
const databaseUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/nomosly';
// The events Redis may be the machine's own; the vision Redis is one of npm start's own (another port), so that
// its memory cap and noeviction policy are set on a Redis nothing else uses.
const eventsRedisUrl = process.env.EVENTS_REDIS_URL ?? 'redis://127.0.0.1:6379';
const visionRedisUrl = process.env.VISION_REDIS_URL ?? 'redis://127.0.0.1:6380';
const stateDir = path.resolve(process.env.NOMOSLY_STATE_DIR || path.join(root, '.nomosly'));
const logDir = path.join(stateDir, 'logs');
const idpPort = Number(process.env.IDP_PORT ?? 4455);
const demoEmail = process.env.DEMO_EMAIL ?? 'demo@nomosly.local';
// Bull Board on the gateway (/ops/queues) wants an admin password; a fresh one each start unless set. It is
// never printed (npm start's output is often kept in a file): a fresh one is written to this file, 0600.
const opsPassword = process.env.OPS_PASSWORD ?? randomBytes(12).toString('base64url');
const opsPasswordFile = path.join(stateDir, 'ops-password');
const oidcIssuer = `http://${host}:${idpPort}`;
// Polar: the local stand-in accepts only this token and signs its webhooks with this secret; both fresh each start
// unless set (a deployment's own, say, to point the billing app at Polar's sandbox instead).
const polarPort = Number(process.env.POLAR_LOCAL_PORT ?? 4466);
const billingPort = Number(process.env.BILLING_PORT ?? 3004);
const consolePort = Number(process.env.CONSOLE_PORT ?? 3002);
const polarAccessToken = process.env.POLAR_ACCESS_TOKEN ?? `polar_oat_local_${randomBytes(24).toString('base64url')}`;
const polarWebhookSecret = process.env.POLAR_WEBHOOK_SECRET ?? `whsec_${randomBytes(24).toString('base64')}`;
const polarServerUrl = `http://${host}:${polarPort}`;

/** Every app of the system, in start order; `ready` is the path that answers 200 once it can serve. */
const APPS = [
  { name: 'vision-worker', entry: 'apps/vision-worker/src/main.js', port: Number(process.env.VISION_WORKER_PORT ?? 3001), portVariable: 'VISION_WORKER_PORT' },
  { name: 'gateway', entry: 'apps/gateway/src/main.js', port: Number(process.env.GATEWAY_PORT ?? 3000), portVariable: 'GATEWAY_PORT', env: { OPS_PASSWORD: opsPassword } },
  { name: 'usage', entry: 'apps/usage/src/main.js', port: Number(process.env.USAGE_PORT ?? 3003), portVariable: 'USAGE_PORT' },
  {
    name: 'console',
    entry: 'apps/console/src/main.js',
    port: consolePort,
    portVariable: 'CONSOLE_PORT',
    env: { OIDC_ISSUER: oidcIssuer, CONSOLE_PUBLIC_URL: process.env.CONSOLE_PUBLIC_URL ?? `http://${host}:${consolePort}` },
  },
  { name: 'billing', entry: 'apps/billing/src/main.js', port: billingPort, portVariable: 'BILLING_PORT' },
  // The local Polar the billing app and the console are pointed at (Polar itself in production).
  {
    name: 'polar-local',
    entry: 'tools/polar-local/src/main.js',
    port: polarPort,
    portVariable: 'POLAR_LOCAL_PORT',
    ready: '/healthz',
    env: { POLAR_WEBHOOK_URL: `http://${host}:${billingPort}/webhooks/polar` },
  },
  // The local identity provider the console trusts in development (Auth0 in production).
  {
    name: 'idp-local',
    entry: 'tools/idp-local/src/main.js',
    port: idpPort,
    portVariable: 'IDP_PORT',
    ready: '/.well-known/openid-configuration',
    // The sign-in form opens with the demo user's email, the one whose key is printed: two clicks sign in.
    env: { IDP_KEYS_FILE: process.env.IDP_KEYS_FILE ?? path.join(stateDir, 'idp-keys.json'), IDP_DEFAULT_EMAIL: process.env.IDP_DEFAULT_EMAIL ?? demoEmail },
  },
];

const say = (line) => process.stderr.write(`${line}\n`);
const children = new Map();
/** Each app's log, one file per UTC day (`<app>-YYYY-MM-DD.log`), opened once and kept across restarts. */
const logs = new Map();
let serverLogDays;
let stopping = false;

async function main() {
  // The events Redis, when started here, keeps an append-only file (it no longer carries images); prepareMachine
  // is left the rest (Node, packages, tesseract data, PostgreSQL).
  await ensureRedis(eventsRedisUrl, { persistIn: path.join(stateDir, 'redis-events'), variable: 'EVENTS_REDIS_URL' });
  await prepareMachine({ databaseUrl });
  await ensureRedis(visionRedisUrl, { variable: 'VISION_REDIS_URL', args: visionRedisMemoryArgs() });
  await checkVisionRedis(visionRedisUrl);
  if (process.env.NOMOSLY_SKIP_BUILD !== '1') await buildIfStale(root);
  runNode('libs/db/src/bin/migrate.js', 'migrations');
  for (const app of APPS) {
    if (await portOpen(app.port, host)) {
      throw new MissingPrerequisite(`port ${app.port} for ${app.name} is in use: stop what holds it or set ${app.portVariable}.`);
    }
  }
  mkdirSync(logDir, { recursive: true });
  // P6: server logs are kept as long as the retention table says (30 days), the table the apps are built with.
  ({ SERVER_LOG_RETENTION_DAYS: serverLogDays } = createRequire(import.meta.url)(path.join(root, 'dist/libs/contracts/src/retention.js')));
  if (!process.env.OPS_PASSWORD) writeSecretFile(opsPasswordFile, `${opsPassword}\n`);
  const polar = polarEnvironment();
  for (const app of APPS) if (['billing', 'console', 'polar-local'].includes(app.name)) app.env = { ...app.env, ...polar };
  for (const app of APPS) startApp(app);
  await Promise.all(APPS.map((app) => waitUntilReady(app)));
  await waitForWorkerSeen();
  const key = createDemoKey();
  for (const app of APPS) console.log(`${app.name} http://${host}:${app.port}`);
  console.log(`demo key ${key}`);
  say(`console sign-in: a token for the console API from "npm run cli -- dev-token --email ${demoEmail}"`);
  const gateway = APPS.find((app) => app.name === 'gateway');
  const passwordFrom = process.env.OPS_PASSWORD ? 'OPS_PASSWORD' : shown(opsPasswordFile);
  say(`queues: http://${host}:${gateway.port}/ops/queues (user ${process.env.OPS_USERNAME ?? 'admin'}, password in ${passwordFrom})`);
  say(`logs in ${shown(logDir)}/; Ctrl-C stops everything.`);
}

/**
 * What the billing app, the console and polar-local share: the token, the webhook secret, where Polar is, and which
 * product stands for each paid plan. polar-local seeds one product per paid plan of PLANS (priced from the plan),
 * under the id productIdFor gives, so the map needs no round trip; a POLAR_PRODUCTS that is set wins.
 */
function polarEnvironment() {
  const requireBuilt = createRequire(import.meta.url);
  const { productIdFor } = requireBuilt(path.join(root, 'dist/tools/polar-local/src/server.js'));
  const { DEFAULT_PLANS } = requireBuilt(path.join(root, 'dist/libs/limits/src/plans.js'));
  const plans = { ...DEFAULT_PLANS, ...(process.env.PLANS ? JSON.parse(process.env.PLANS) : {}) };
  const products = Object.fromEntries(Object.keys(plans).filter((plan) => plan !== 'free').map((plan) => [plan, productIdFor(plan)]));
  return {
    POLAR_ACCESS_TOKEN: polarAccessToken,
    POLAR_WEBHOOK_SECRET: polarWebhookSecret,
    POLAR_SERVER_URL: process.env.POLAR_SERVER_URL ?? polarServerUrl,
    POLAR_PRODUCTS: process.env.POLAR_PRODUCTS ?? JSON.stringify(products),
  };
}

/** A path as the user would type it: relative under the working directory, absolute elsewhere. */
function shown(file) {
  const relative = path.relative(process.cwd(), file);
  return relative && !relative.startsWith('..') && !path.isAbsolute(relative) ? relative : file;
}

/** Written afresh, readable by this user only (a file left by an earlier start may have had other modes). */
function writeSecretFile(file, content) {
  rmSync(file, { force: true });
  writeFileSync(file, content, { mode: 0o600, flag: 'wx' });
}

/** A vision Redis that was already running (one npm start did not start): say if it could evict a waiting image. */
async function checkVisionRedis(url) {
  const { default: Redis } = await import('ioredis');
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1, retryStrategy: () => null });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    const [, policy] = await redis.config('GET', 'maxmemory-policy');
    const [, maxmemory] = await redis.config('GET', 'maxmemory');
    if (policy !== 'noeviction' || maxmemory === '0') {
      say(
        `warning: the vision Redis at ${url} runs with maxmemory ${maxmemory} and policy ${policy}: give it ` +
          `"${visionRedisMemoryArgs().join(' ')}" so that a full one refuses new calls (503) instead of growing ` +
          'without bound or evicting an image a call waits on.',
      );
    }
  } catch (error) {
    say(`warning: could not read the vision Redis settings at ${url}: ${error.message}`);
  } finally {
    redis.disconnect();
  }
}

function runNode(entry, label, args = []) {
  const result = spawnSync(process.execPath, [path.join(root, 'dist', entry), ...args], {
    cwd: root,
    env: { ...process.env, DATABASE_URL: databaseUrl },
    encoding: 'utf8',
  });
  if (result.status !== 0) throw new MissingPrerequisite(`${label} failed: ${(result.stderr || result.stdout).trim()}`);
  return result.stdout;
}

function startApp(app, restarts = 0) {
  if (!logs.has(app.name)) logs.set(app.name, openDailyLog({ dir: logDir, name: app.name, keepDays: serverLogDays }));
  const log = logs.get(app.name);
  const child = spawn(process.execPath, ['--enable-source-maps', path.join(root, 'dist', app.entry)], {
    cwd: root,
    env: {
      ...process.env,
      PORT: String(app.port),
      HOST: host,
      DATABASE_URL: databaseUrl,
      VISION_REDIS_URL: visionRedisUrl,
      EVENTS_REDIS_URL: eventsRedisUrl,
      ...app.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // Both streams into one file, which stays open when either ends (a restarted app writes to it again).
  child.stdout.pipe(log, { end: false });
  child.stderr.pipe(log, { end: false });
  children.set(app.name, child);
  child.on('exit', (code, signal) => {
    children.delete(app.name);
    if (stopping) return;
    say(`${app.name} exited (${signal ?? code}); see ${logs.get(app.name)?.currentFile() ?? logDir}`);
    if (restarts >= 5) {
      say(`${app.name} keeps failing; stopping.`);
      return shutdown(1);
    }
    setTimeout(() => startApp(app, restarts + 1), 1000 * (restarts + 1));
  });
}

async function waitUntilReady(app, timeoutMs = 180_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      const response = await fetch(`http://${host}:${app.port}${app.ready ?? '/readyz'}`);
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    if (!children.has(app.name) && stopping) return;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new MissingPrerequisite(`${app.name} was not ready within ${timeoutMs / 1000} s; see ${logs.get(app.name)?.currentFile() ?? logDir}`);
}

/** The gateway refuses calls (503) while it counts no vision worker; it counts once a second. */
async function waitForWorkerSeen(timeoutMs = 15_000) {
  const gateway = APPS.find((app) => app.name === 'gateway');
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const metrics = await (await fetch(`http://${host}:${gateway.port}/metrics`)).text().catch(() => '');
    if (/^vision_workers\{[^}]*\} [1-9]/m.test(metrics)) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new MissingPrerequisite(`the gateway does not see the vision worker; see the logs in ${shown(logDir)}/`);
}

function createDemoKey() {
  const output = runNode('apps/cli/src/main.js', 'creating the demo key', [
    // --replace: each start's demo key takes the last one's place, so restarts never reach the plan's key limit.
    'keys', 'create', '--email', demoEmail, '--name', 'demo (npm start)', '--replace',
  ]);
  return output.trim().split('\n').at(-1);
}

function shutdown(code = 0) {
  stopping = true;
  for (const child of children.values()) child.kill('SIGTERM');
  const force = setTimeout(() => {
    for (const child of children.values()) child.kill('SIGKILL');
    process.exit(code);
  }, 10_000);
  force.unref();
  const check = setInterval(() => {
    if (children.size === 0) {
      clearInterval(check);
      process.exit(code);
    }
  }, 100);
}

process.on('SIGINT', () => shutdown(0));
process.on('SIGTERM', () => shutdown(0));

main().catch((error) => {
  say(error instanceof MissingPrerequisite ? `npm start: ${error.message}` : `npm start failed: ${error.stack ?? error}`);
  shutdown(1);
});
