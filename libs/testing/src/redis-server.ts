import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import Redis from 'ioredis';
import { freePort } from './app-process';
import { until } from './until';

export interface RedisServerOptions {
  /** An append-only file, fsynced as `appendfsync` says. */
  appendonly?: boolean;
  /** With `appendonly`: `always` (the default: a kill loses nothing) or `everysec`, as production runs the events Redis. */
  appendfsync?: 'always' | 'everysec';
  /** More redis-server arguments, after (and so over) the defaults: `--slowlog-log-slower-than 0`, `--rename-command CONFIG ""`. */
  args?: string[];
  /** The redis-server binary; by default REDIS_SERVER_BIN or /usr/bin/redis-server, else `redis-server` on PATH. */
  binary?: string;
  readyTimeoutMs?: number;
  /** A port of the caller's choosing; by default a free one. */
  port?: number;
}

export interface RedisServer {
  readonly port: number;
  /** redis://127.0.0.1:<port> */
  readonly url: string;
  /** Its data directory (the AOF files live here). */
  readonly dir: string;
  /** True while the process runs. */
  isRunning(): boolean;
  /** A graceful stop (SIGTERM: Redis flushes the AOF and exits), then start() on the same port and directory. */
  restart(): Promise<void>;
  /** A graceful stop that leaves the server down, until start(). */
  shutdown(): Promise<void>;
  /** SIGKILL, as a crash would; the server stays down until start(). */
  kill(): Promise<void>;
  /** Starts the server again on the same port and directory, and waits for PING. */
  start(): Promise<void>;
  /** Everything every run of the server printed. */
  logs(): string;
  /** Stops the server and removes its directory. */
  stop(): Promise<void>;
}

/**
 * A redis-server of a test's own, on loopback, a free port and a temporary directory: a test can restart or
 * kill it without disturbing the shared Redis other tests use. By default it keeps nothing, as the vision Redis
 * must (no snapshots, no AOF, no slow log); with `appendonly`, it runs as the events Redis (AOF, no RDB snapshots).
 */
export async function startRedisServer(options: RedisServerOptions = {}): Promise<RedisServer> {
  const binary = options.binary ?? redisServerBinary();
  if (!existsSync(binary)) {
    throw new Error(
      `redis-server not found at ${binary}: install it (apt-get install redis-server) or set REDIS_SERVER_BIN to its path`,
    );
  }
  const readyTimeoutMs = options.readyTimeoutMs ?? 20_000;
  const dir = await mkdtemp(path.join(os.tmpdir(), 'nomosly-redis-'));
  const port = options.port ?? (await freePort());
  const url = `redis://127.0.0.1:${port}`;
  const args = [
    '--port', String(port),
    '--bind', '127.0.0.1',
    '--dir', dir,
    '--save', '',
    '--daemonize', 'no',
    '--logfile', '',
    '--loglevel', 'notice',
    '--slowlog-log-slower-than', '-1',
    ...(options.appendonly ? ['--appendonly', 'yes', '--appendfsync', options.appendfsync ?? 'always'] : ['--appendonly', 'no']),
    ...(options.args ?? []),
  ];
  let output = '';
  let child: ChildProcess | null = null;
  let exited: Promise<void> = Promise.resolve();

  const running = () => child !== null && child.exitCode === null && child.signalCode === null;

  const start = async () => {
    if (running()) return;
    const proc = spawn(binary, args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    child = proc;
    let spawnFailure: Error | null = null;
    proc.once('error', (error) => (spawnFailure = error));
    proc.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    proc.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    exited = new Promise<void>((resolve) => proc.once('close', () => resolve()));
    const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, enableOfflineQueue: false });
    client.on('error', () => undefined);
    try {
      await until(
        async () => {
          if (spawnFailure) throw new Error(`redis-server could not be started: ${(spawnFailure as Error).message}`);
          if (proc.exitCode !== null || proc.signalCode !== null) {
            throw new Error(`redis-server on port ${port} exited (${proc.exitCode ?? proc.signalCode}):\n${output}`);
          }
          try {
            if (client.status !== 'ready') await client.connect();
            // While it loads the AOF, Redis answers PING with -LOADING.
            return (await client.ping()) === 'PONG';
          } catch {
            client.disconnect();
            return false;
          }
        },
        { what: `redis-server on port ${port} answering PING`, timeoutMs: readyTimeoutMs, intervalMs: 50 },
      );
    } catch (error) {
      if (proc.exitCode === null && proc.signalCode === null && !spawnFailure) proc.kill('SIGKILL');
      if (!spawnFailure) await exited;
      throw error;
    } finally {
      client.disconnect();
    }
  };

  const signal = async (name: NodeJS.Signals) => {
    if (!running()) return;
    child?.kill(name);
    // A graceful stop that hangs is a crash: SIGKILL after 10 s.
    const timer = setTimeout(() => child?.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  };

  try {
    await start();
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }

  return {
    port,
    url,
    dir,
    isRunning: running,
    restart: async () => {
      await signal('SIGTERM');
      await start();
    },
    shutdown: () => signal('SIGTERM'),
    kill: () => signal('SIGKILL'),
    start,
    logs: () => output,
    stop: async () => {
      await signal('SIGTERM');
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/**
 * The vision Redis a script gives the apps it starts (npm test, the benches): `url` when one is named (the apps
 * check it at start, P1), else a redis-server of its own that keeps nothing, stopped with it.
 */
export async function visionRedisFor(url: string | undefined): Promise<{ url: string; stop(): Promise<void> }> {
  if (url) return { url, stop: async () => undefined };
  const server = await startRedisServer();
  return { url: server.url, stop: () => server.stop() };
}

/** Runs `body` with visionRedisFor(url), stopped afterwards. */
export async function withVisionRedis<T>(url: string | undefined, body: (redisUrl: string) => Promise<T>): Promise<T> {
  const redis = await visionRedisFor(url);
  try {
    return await body(redis.url);
  } finally {
    await redis.stop();
  }
}

function redisServerBinary(): string {
  if (process.env.REDIS_SERVER_BIN) return process.env.REDIS_SERVER_BIN;
  if (existsSync('/usr/bin/redis-server')) return '/usr/bin/redis-server';
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    const candidate = path.join(dir, 'redis-server');
    if (dir && existsSync(candidate)) return candidate;
  }
  return '/usr/bin/redis-server';
}
