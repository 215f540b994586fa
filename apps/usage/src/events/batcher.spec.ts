import { Batcher } from './batcher';

describe('Batcher', () => {
  it('writes a batch as soon as it is full, settling each add with its batch', async () => {
    const written: number[][] = [];
    const batcher = new Batcher<number>(async (items) => void written.push(items), { maxSize: 3, maxWaitMs: 60_000 });
    await Promise.all([1, 2, 3, 4, 5, 6].map((n) => batcher.add(n)));
    expect(written).toEqual([
      [1, 2, 3],
      [4, 5, 6],
    ]);
  });

  it('writes a partial batch once the wait has passed', async () => {
    const written: number[][] = [];
    const batcher = new Batcher<number>(async (items) => void written.push(items), { maxSize: 100, maxWaitMs: 5 });
    await Promise.all([batcher.add(1), batcher.add(2)]);
    expect(written).toEqual([[1, 2]]);
  });

  it('rejects every add of a failed batch with its error, and writes later batches again', async () => {
    let fail = true;
    const written: number[][] = [];
    const batcher = new Batcher<number>(
      async (items) => {
        if (fail) throw new Error('postgres is down');
        written.push(items);
      },
      { maxSize: 2, maxWaitMs: 5 },
    );
    const outcomes = await Promise.allSettled([batcher.add(1), batcher.add(2)]);
    expect(outcomes.map((outcome) => outcome.status)).toEqual(['rejected', 'rejected']);
    expect((outcomes[0] as PromiseRejectedResult).reason).toEqual(new Error('postgres is down'));
    fail = false;
    await Promise.all([batcher.add(1), batcher.add(2)]);
    expect(written).toEqual([[1, 2]]);
  });

  it('writes one batch at a time, so that a slow write lets the next batch grow', async () => {
    let running = 0;
    let mostAtOnce = 0;
    const sizes: number[] = [];
    const batcher = new Batcher<number>(
      async (items) => {
        running++;
        mostAtOnce = Math.max(mostAtOnce, running);
        sizes.push(items.length);
        await new Promise((resolve) => setImmediate(resolve));
        running--;
      },
      { maxSize: 10, maxWaitMs: 1 },
    );
    await Promise.all(Array.from({ length: 35 }, (_, n) => batcher.add(n)));
    expect(mostAtOnce).toBe(1);
    expect(sizes.reduce((sum, size) => sum + size, 0)).toBe(35);
  });

  it('flush writes what is pending without waiting for the timer', async () => {
    const written: number[][] = [];
    const batcher = new Batcher<number>(async (items) => void written.push(items), { maxSize: 100, maxWaitMs: 60_000 });
    const added = batcher.add(7);
    await batcher.flush();
    await added;
    expect(written).toEqual([[7]]);
  });
});
