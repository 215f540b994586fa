import Redis from 'ioredis';
import { VisionKeys, type VisionJob } from '@nomosly/contracts';
import { TEST_REDIS_URL, fixture, uniquePrefix } from '@nomosly/testing';
import type { WorkerConfig } from '../config';
import type { EngineHolder } from '../engine/engine.provider';
import { WorkerMetrics } from '../metrics';
import { NullEngine } from '@nomosly/engines';
import { createDependencyWatches } from '@nomosly/observability';
import { VisionJobService } from './vision-job.service';

const watches = () => createDependencyWatches(new WorkerMetrics().registry, { reminderMs: 60_000 });

/** The job handler against the real Redis: images read once, answers published, nothing returned or kept. */
describe('VisionJobService', () => {
  const prefix = uniquePrefix('job');
  const redis = new Redis(TEST_REDIS_URL);
  const listener = new Redis(TEST_REDIS_URL);
  const replies: string[] = [];
  const channel = VisionKeys.replyChannel(prefix, 'test');
  const service = new VisionJobService(
    { VISION_REDIS_URL: TEST_REDIS_URL } as WorkerConfig,
    { engine: new NullEngine(), ready: true } as unknown as EngineHolder,
    new WorkerMetrics(),
    watches(),
  );

  beforeAll(async () => {
    listener.on('message', (_channel, message) => replies.push(message));
    await listener.subscribe(channel);
  });
  afterAll(async () => {
    await service.onApplicationShutdown();
    redis.disconnect();
    listener.disconnect();
  });

  const job = (id: string, deadline = Date.now() + 10_000): VisionJob => ({
    requestId: id,
    operation: 'faces.detect',
    params: {},
    replyChannel: channel,
    deadline,
    images: [{ key: VisionKeys.image(prefix, id, 0), format: 'png', width: 512, height: 512, orientation: 1 }],
  });

  async function replyFor(id: string): Promise<Record<string, unknown> | undefined> {
    for (let i = 0; i < 100; i++) {
      const found = replies.map((r) => JSON.parse(r) as Record<string, unknown>).find((r) => r.jobId === id);
      if (found) return found;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    return undefined;
  }

  it('P1: takes the image with GETDEL (read once, gone: GET would leave it), answers on the reply channel and returns only its time', async () => {
    const data = job('ok-1');
    await redis.set(data.images[0].key, fixture('astronaut.png'));
    // A number of ms for the capacity report; the processor returns nothing, so BullMQ stores no result.
    expect(await service.handle(data)).toEqual(expect.any(Number));
    expect(await replyFor('ok-1')).toEqual({ jobId: 'ok-1', ok: true, result: { faces: [] } });
    expect(await redis.exists(data.images[0].key)).toBe(0);
  });

  it('drops a job whose image is gone (its caller gave up) without answering', async () => {
    expect(await service.handle(job('gone-1'))).toBeNull();
    expect(await replyFor('gone-1')).toBeUndefined();
  });

  it('P1: drops a job past its deadline, and its image with it', async () => {
    const data = job('late-1', Date.now() - 1);
    await redis.set(data.images[0].key, fixture('astronaut.png'));
    expect(await service.handle(data)).toBeNull();
    expect(await replyFor('late-1')).toBeUndefined();
    expect(await redis.exists(data.images[0].key)).toBe(0);
  });

  it('answers internal, not the broken result, when the engine breaks the result contract', async () => {
    const broken = new VisionJobService(
      { VISION_REDIS_URL: TEST_REDIS_URL } as WorkerConfig,
      { engine: { ...new NullEngine(), name: 'broken', detectFaces: async () => ({ faces: [{ confidence: 400 }] }) }, ready: true } as unknown as EngineHolder,
      new WorkerMetrics(),
      watches(),
    );
    try {
      const data = job('broken-1');
      await redis.set(data.images[0].key, fixture('astronaut.png'));
      await broken.handle(data);
      expect(await replyFor('broken-1')).toMatchObject({ ok: false, error: { code: 'internal' } });
    } finally {
      await broken.onApplicationShutdown();
    }
  });

  it('drops a job that breaks the contract', async () => {
    await expect(service.handle({ operation: 'faces.search' })).resolves.toBeNull();
  });
});
