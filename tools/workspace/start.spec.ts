import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { REPO_ROOT, TEST_DATABASE_URL, TEST_REDIS_URL, deleteKeys, freePort, uniquePrefix } from '@nomosly/testing';

// npm start keeps its files in a folder of the test's own, never the developer's .nomosly/ (whose ops password
// and logs belong to a system they may be running).
const STATE_DIR = mkdtempSync(path.join(os.tmpdir(), 'nomosly-start-'));
const LOG_DIR = path.join(STATE_DIR, 'logs');
const PASSWORD_FILE = path.join(STATE_DIR, 'ops-password');
const escaped = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Every file under a folder, recursively. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? filesUnder(path.join(dir, entry.name)) : [path.join(dir, entry.name)],
  );
}

/**
 * `npm start` for real (tools/scripts/start.mjs), on free ports, a queue prefix of its own, the test database and
 * the test Redis, without a build (the test command has just built: a rebuild would change dist/ under the
 * end-to-end suites running beside this one).
 */
describe('npm start', () => {
  const prefix = uniquePrefix('start');
  let output = '';
  let stderr = '';
  let gatewayPort = 0;
  let child: ReturnType<typeof spawn> | undefined;

  beforeAll(async () => {
    const [gateway, worker, consolePort, usage, idp, billing, polar] = await Promise.all(Array.from({ length: 7 }, () => freePort()));
    gatewayPort = gateway;
    const { OPS_PASSWORD: _unset, ...environment } = process.env;
    child = spawn(process.execPath, [path.join(REPO_ROOT, 'tools/scripts/start.mjs')], {
      cwd: REPO_ROOT,
      env: {
        ...environment,
        DATABASE_URL: TEST_DATABASE_URL,
        VISION_REDIS_URL: TEST_REDIS_URL,
        EVENTS_REDIS_URL: TEST_REDIS_URL,
        NOMOSLY_STATE_DIR: STATE_DIR,
        NOMOSLY_SKIP_BUILD: '1',
        QUEUE_PREFIX: prefix,
        GATEWAY_PORT: String(gateway),
        VISION_WORKER_PORT: String(worker),
        CONSOLE_PORT: String(consolePort),
        USAGE_PORT: String(usage),
        IDP_PORT: String(idp),
        BILLING_PORT: String(billing),
        POLAR_LOCAL_PORT: String(polar),
        // On the shared test database: its billing app would otherwise send other suites' ledger rows to its polar-local.
        BILLING_SEND_USAGE: 'false',
        DEMO_EMAIL: `${prefix}@start.test`,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    await new Promise<void>((resolve, reject) => {
      const check = setInterval(() => {
        if (/Ctrl-C stops everything/.test(stderr)) done(null);
        else if (child?.exitCode !== null) done(new Error(`npm start exited with ${child?.exitCode}:\n${stderr}`));
      }, 200);
      const done = (error: Error | null) => {
        clearInterval(check);
        return error ? reject(error) : resolve();
      };
    });
  }, 300_000);

  afterAll(async () => {
    if (child && child.exitCode === null) {
      const exited = new Promise((resolve) => child?.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
    await deleteKeys(TEST_REDIS_URL, `${prefix}:*`);
    rmSync(STATE_DIR, { recursive: true, force: true });
  }, 30_000);

  it('prints one line per app, billing and polar-local among them, then the demo key', () => {
    const apps = output.split('\n').filter((line) => / http:\/\//.test(line)).map((line) => line.split(' ')[0]);
    expect(apps.sort()).toEqual(['billing', 'console', 'gateway', 'idp-local', 'polar-local', 'usage', 'vision-worker']);
    expect(output).toMatch(/^polar-local http:\/\/127\.0\.0\.1:\d+$/m);
    expect(output).toMatch(/^demo key nk_live_\S+$/m);
  });

  it('keeps the Bull Board password out of its output and out of every log: it is in a 0600 file whose path it prints', async () => {
    expect(stderr).toMatch(new RegExp(`^queues: http://127\\.0\\.0\\.1:\\d+/ops/queues \\(user admin, password in ${escaped(PASSWORD_FILE)}\\)$`, 'm'));
    expect(statSync(PASSWORD_FILE).mode & 0o777).toBe(0o600);
    const password = readFileSync(PASSWORD_FILE, 'utf8').trim();
    expect(password).toMatch(/^[\w-]{16}$/);
    // The file holds the password the gateway was given.
    const board = await fetch(`http://127.0.0.1:${gatewayPort}/ops/queues`, {
      headers: { authorization: `Basic ${Buffer.from(`admin:${password}`).toString('base64')}` },
    });
    expect(board.status).toBe(200);
    expect(output).not.toContain(password);
    expect(stderr).not.toContain(password);
    const logs = filesUnder(LOG_DIR);
    expect(logs.length).toBeGreaterThan(0);
    for (const file of logs) expect({ file, holdsPassword: readFileSync(file, 'utf8').includes(password) }).toEqual({ file, holdsPassword: false });
  });
});
