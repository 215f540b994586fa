import {
  facesCompareResultSchema,
  facesDetectResultSchema,
  labelsDetectResultSchema,
  textDetectResultSchema,
} from '@nomosly/contracts';

const heavy: string[] = [];
jest.mock('@tensorflow/tfjs', () => heavy.push('@tensorflow/tfjs'));
jest.mock('@tensorflow/tfjs-backend-wasm', () => heavy.push('@tensorflow/tfjs-backend-wasm'));
jest.mock('@vladmandic/face-api/dist/face-api.node-wasm.js', () => heavy.push('@vladmandic/face-api'));
jest.mock('@vladmandic/human', () => heavy.push('@vladmandic/human'));
jest.mock('tesseract.js', () => heavy.push('tesseract.js'));

describe('@nomosly/engines', () => {
  it('loads no model library on import or construction', async () => {
    const engines = await import('./index');
    const local = engines.createEngine('local');
    expect(local).toBeInstanceOf(engines.LocalEngine);
    expect(local.name).toBe('local');
    expect(heavy).toEqual([]);
  });

  it('builds a NullEngine that answers with empty valid results', async () => {
    const { createEngine, NullEngine } = await import('./index');
    const engine = createEngine('null');
    expect(engine).toBeInstanceOf(NullEngine);
    await engine.start();
    const image = { bytes: Buffer.alloc(0), format: 'png' as const, width: 1, height: 1, orientation: 1 };
    expect(facesDetectResultSchema.parse(await engine.detectFaces(image))).toEqual({ faces: [] });
    expect(facesCompareResultSchema.parse(await engine.compareFaces(image, image, { similarityThreshold: 80 }))).toEqual({
      sourceFace: null,
      matches: [],
      unmatchedFaces: [],
    });
    expect(labelsDetectResultSchema.parse(await engine.detectLabels(image, { maxLabels: 20, minConfidence: 50 }))).toEqual({ labels: [] });
    expect(textDetectResultSchema.parse(await engine.detectText(image))).toEqual({ text: [] });
    await engine.stop();
  });
});
