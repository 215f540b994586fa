import path from 'node:path';
import { testImage } from '../testing-image';
import { EngineUnavailableError } from '../engine';
import { LocalEngine } from './local-engine';

describe('LocalEngine lifecycle', () => {
  it('frees the models on stop and loads them again on the next start', async () => {
    const tf = await import('@tensorflow/tfjs');
    const image = await testImage(path.resolve(__dirname, '../../../testing/fixtures/images/astronaut.png'));
    for (let round = 0; round < 2; round += 1) {
      const engine = new LocalEngine({ warmup: false });
      await engine.start();
      expect(tf.memory().numTensors).toBeGreaterThan(300);
      expect((await engine.detectFaces(image)).faces).toHaveLength(1);
      expect((await engine.detectLabels(image, { maxLabels: 5, minConfidence: 50 })).labels.map((l) => l.name)).toContain('Person');
      await engine.stop();
      // human keeps a few scalar constants of its own, made again by each load that starts afresh: two such loads per
      // start (nanodet, then BlazeFace and CenterNet; see human.ts), at most 16 tensors, a few KiB, per start.
      const { numTensors, numBytes } = tf.memory();
      expect(numTensors).toBeLessThanOrEqual(16 * (round + 1));
      expect(numBytes).toBeLessThan(64 * 1024 * (round + 1));
    }
  });

  it('lets calls in flight at stop() finish or fail cleanly, and refuses later ones', async () => {
    const image = await testImage(path.resolve(__dirname, '../../../testing/fixtures/images/grace_hopper.jpg'));
    const engine = new LocalEngine({ warmup: false });
    await engine.start();
    const inFlight = [
      engine.detectFaces(image),
      engine.detectText(image),
      engine.detectLabels(image, { maxLabels: 5, minConfidence: 50 }),
      engine.compareFaces(image, image, { similarityThreshold: 80 }),
    ];
    await engine.stop();
    for (const outcome of await Promise.allSettled(inFlight)) {
      if (outcome.status === 'rejected') expect(outcome.reason).toBeInstanceOf(EngineUnavailableError);
    }
    await expect(engine.detectFaces(image)).rejects.toThrow(EngineUnavailableError);
  });
});
