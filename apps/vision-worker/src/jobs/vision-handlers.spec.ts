import { NullEngine } from '@nomosly/engines';
import { OPERATIONS, RESULT_SCHEMAS } from '@nomosly/contracts';
import { VISION_HANDLERS, assertEveryOperationHandled } from './vision-handlers';

describe('vision handlers', () => {
  it('cover every operation of the contract exactly once', () => {
    expect(Object.keys(VISION_HANDLERS).sort()).toEqual([...OPERATIONS].sort());
    expect(() => assertEveryOperationHandled()).not.toThrow();
  });

  it('refuse to start with a missing or an unknown operation', () => {
    const { 'text.detect': _text, ...missing } = VISION_HANDLERS;
    expect(() => assertEveryOperationHandled(missing)).toThrow(/missing \[text.detect\]/);
    expect(() => assertEveryOperationHandled({ ...VISION_HANDLERS, 'faces.search': () => undefined })).toThrow(/unknown \[faces.search\]/);
  });

  it('return results that satisfy the contract', async () => {
    const engine = new NullEngine();
    const image = { bytes: Buffer.alloc(0), format: 'png' as const, width: 100, height: 100, orientation: 1 };
    const params = { similarityThreshold: 80, maxLabels: 20, minConfidence: 50 };
    for (const operation of OPERATIONS) {
      const handler = VISION_HANDLERS[operation] as (e: NullEngine, i: (typeof image)[], p: typeof params) => Promise<unknown>;
      expect(RESULT_SCHEMAS[operation].safeParse(await handler(engine, [image, image], params)).success).toBe(true);
    }
  });
});
