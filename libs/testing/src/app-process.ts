import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { REPO_ROOT } from './paths';

export type AppName = 'gateway' | 'vision-worker' | 'console' | 'usage' | 'billing';

export interface RunningApp {
  readonly name: AppName;
  readonly url: string;
  readonly port: number;
  readonly child: ChildProcess;
  /** Everything the process wrote to stdout and stderr so far. */
  logs(): string;
  /** SIGTERM and wait for exit (SIGKILL after 10 s). */
  stop(): Promise<void>;
  /** SIGKILL at once, as a crash would. */
  kill(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/**
 * Starts a built app (dist/) as its own process, the way `npm start` and production run it, and waits until
 * `waitFor` answers 200: /readyz by default, /healthz for an app whose dependencies are meant to be down.
 */
export async function startApp(
  name: AppName,
  env: Record<string, string>,
  {
    waitFor = '/readyz',
    readyTimeoutMs = 120_000,
    port: chosenPort,
  }: {
    waitFor?: '/readyz' | '/healthz';
    readyTimeoutMs?: number;
    /** A port picked beforehand (freePort), for a URL other processes must know before this app starts. */
    port?: number;
  } = {},
): Promise<RunningApp> {
  const port = chosenPort ?? (await freePort());
  const entry = path.join(REPO_ROOT, 'dist/apps', name, 'src/main.js');
  const child = spawn(process.execPath, ['--enable-source-maps', entry], {
    cwd: REPO_ROOT,
    env: { PATH: process.env.PATH ?? '', NODE_ENV: 'test', HOST: '127.0.0.1', LOG_LEVEL: 'info', ...env, PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const chunks: Buffer[] = [];
  child.stdout?.on('data', (chunk: Buffer) => chunks.push(chunk));
  child.stderr?.on('data', (chunk: Buffer) => chunks.push(chunk));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  const app: RunningApp = {
    name,
    url,
    port,
    child,
    logs: () => Buffer.concat(chunks).toString('utf8'),
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
    kill: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGKILL');
      await exited;
    },
  };
  const deadline = Date.now() + readyTimeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${name} exited with ${child.exitCode} before it was ready:\n${app.logs()}`);
    try {
      const response = await fetch(`${url}${waitFor}`);
      if (response.ok) return app;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  await app.kill();
  throw new Error(`${name} was not ready within ${readyTimeoutMs} ms:\n${app.logs()}`);
}

/** Runs the admin CLI (built) and returns its stdout; throws with its stderr when it fails. */
export function runCli(args: string[], env: Record<string, string>): { stdout: string; stderr: string; status: number } {
  const result = spawnSync(process.execPath, [path.join(REPO_ROOT, 'dist/apps/cli/src/main.js'), ...args], {
    cwd: REPO_ROOT,
    env: { PATH: process.env.PATH ?? '', ...env },
    encoding: 'utf8',
  });
  return { stdout: result.stdout, stderr: result.stderr, status: result.status ?? -1 };
}

/** Creates a key with the CLI and returns its secret (the CLI's last line). */
export function createKeyWithCli(databaseUrl: string, email: string, extra: string[] = []): string {
  const result = runCli(['keys', 'create', '--email', email, ...extra], { DATABASE_URL: databaseUrl });
  if (result.status !== 0) throw new Error(`cli failed (${result.status}): ${result.stderr}`);
  return result.stdout.trim().split('\n').at(-1) ?? '';
}

/** Creates a key with the CLI and returns its secret and the workspace the CLI printed (`workspace <id> <name>`). */
export function createKeyInWorkspace(databaseUrl: string, email: string, extra: string[] = []): { secret: string; workspaceId: string } {
  const result = runCli(['keys', 'create', '--email', email, ...extra], { DATABASE_URL: databaseUrl });
  if (result.status !== 0) throw new Error(`cli failed (${result.status}): ${result.stderr}`);
  const workspaceId = /^workspace ([0-9a-f-]{36}) /m.exec(result.stdout)?.[1];
  if (!workspaceId) throw new Error(`cli printed no workspace line:\n${result.stdout}`);
  return { secret: result.stdout.trim().split('\n').at(-1) ?? '', workspaceId };
}
