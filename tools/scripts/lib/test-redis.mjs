// The Redis `npm test` gives the tests (TEST_REDIS_URL): one of the run's own, on a free port, that keeps nothing
// by construction (P1), since the end-to-end specs use it as the vision Redis the apps check at start. It carries
// the events too; the fault tests start the events Redis they restart or kill themselves.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { MissingPrerequisite, VISION_REDIS_KEEPS_NOTHING, haveRedisServer, portOpen } from './prerequisites.mjs';

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Starts the redis-server and returns its URL and a stop(); it dies with this process at the latest. */
export async function startTestRedis() {
  if (!haveRedisServer()) {
    throw new MissingPrerequisite('redis-server is not installed: install it ("sudo apt-get install redis-server"), or set TEST_REDIS_URL.');
  }
  const port = await freePort();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'nomosly-test-redis-'));
  const child = spawn('redis-server', ['--bind', '127.0.0.1', '--port', String(port), '--dir', dir, ...VISION_REDIS_KEEPS_NOTHING], {
    stdio: 'ignore',
  });
  const stop = () => {
    child.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  };
  process.once('exit', stop);
  for (const signal of ['SIGINT', 'SIGTERM']) process.once(signal, () => process.exit(1));
  for (let i = 0; i < 40; i++) {
    if (await portOpen(port)) return { url: `redis://127.0.0.1:${port}`, stop };
    if (child.exitCode !== null) break;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  stop();
  throw new MissingPrerequisite(`the tests' Redis (redis-server on port ${port}) did not start`);
}
