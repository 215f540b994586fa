import net from 'node:net';
import { DependencyWatch } from '@nomosly/observability';
import type { WorkerConfig } from './config';
import { checkWorkerVisionRedis } from './vision-redis-check';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const configFor = (url: string) => ({ VISION_REDIS_URL: url, VISION_REDIS_PERSISTENCE_CHECKED: false }) as WorkerConfig;

/** A port nothing listens on: taken, then let go. */
async function deadPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('checkWorkerVisionRedis (P1 before the worker takes a job)', () => {
  it('P1: passes the tests\' vision Redis, which keeps nothing', async () => {
    await expect(checkWorkerVisionRedis(configFor(REDIS_URL), () => undefined)).resolves.toBeNull();
  });

  it('waits a bounded time for a vision Redis that does not answer, its outage as one structured line, then refuses to start, naming it without its password', async () => {
    const said: string[] = [];
    const lines: Record<string, unknown>[] = [];
    const port = await deadPort();
    const url = `redis://:hunter2@127.0.0.1:${port}`;
    const log = (fields: Record<string, unknown>) => void lines.push(fields);
    const outage = new DependencyWatch({ dependency: 'vision-redis', address: `127.0.0.1:${port}`, reminderMs: 60_000, log: { warn: log, log } });
    const started = Date.now();
    const refusal = checkWorkerVisionRedis(configFor(url), (line) => said.push(line), 500, outage);
    await expect(refusal).rejects.toThrow(/^the vision Redis at redis:\/\/:\*\*\*@127\.0\.0\.1:\d+ did not answer within 0\.5 s$/);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(said).toEqual([]);
    expect(lines).toEqual([expect.objectContaining({ event: 'dependency_down', dependency: 'vision-redis', address: `127.0.0.1:${port}`, code: 'ECONNREFUSED' })]);
  }, 10_000);
});
