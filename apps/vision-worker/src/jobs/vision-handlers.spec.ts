import { NullEngine, type EngineCall } from '@nomosly/engines';
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

  it('return results that satisfy the contract, handing the request deadline to the engine', async () => {
    const seen: (EngineCall | undefined)[] = [];
    const engine = new NullEngine();
    for (const method of ['detectFaces', 'compareFaces', 'detectLabels', 'detectText'] as const) {
      const original = engine[method].bind(engine) as (...args: unknown[]) => Promise<unknown>;
      (engine as unknown as Record<string, unknown>)[method] = (...args: unknown[]) => {
        seen.push(args.at(-1) as EngineCall);
        return original(...args);
      };
    }
    const image = { bytes: Buffer.alloc(0), format: 'png' as const, width: 100, height: 100, orientation: 1 };
    const params = { similarityThreshold: 80, maxLabels: 20, minConfidence: 50 };
    const call = { deadline: Date.now() + 30_000 };
    for (const operation of OPERATIONS) {
      const handler = VISION_HANDLERS[operation] as unknown as (e: NullEngine, i: (typeof image)[], p: typeof params, c: EngineCall) => Promise<unknown>;
      expect(RESULT_SCHEMAS[operation].safeParse(await handler(engine, [image, image], params, call)).success).toBe(true);
    }
    expect(seen).toEqual(OPERATIONS.map(() => call));
  });
});
