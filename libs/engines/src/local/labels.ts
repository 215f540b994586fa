import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { LabelsDetectParams, LabelsDetectResult } from '@nomosly/contracts';
import { EngineUnavailableError } from '../engine';
import { withFileFetch } from './file-fetch';
import { percent, piecewiseLinear, toRatioBox } from './geometry';
import { installHint, loadModule, requireFiles, resolveModule } from './modules';
import type { Tensor3D, Tf } from './tfjs-wasm';

/* ---- the part of @vladmandic/human we use ---- */

type HumanBox = [number, number, number, number];
interface HumanObject {
  score: number;
  label: string;
  /** x, y, width, height as ratios of the input. */
  boxRaw: HumanBox;
}
interface HumanResult {
  object: HumanObject[];
  error?: string | null;
}
interface GraphModelLike {
  dispose(): void;
}
interface HumanInstance {
  load(): Promise<void>;
  detect(input: unknown): Promise<HumanResult>;
  models: { models: Record<string, GraphModelLike | null | undefined>; reset(): void };
}
interface HumanModule {
  Human: new (config: Record<string, unknown>) => HumanInstance;
}

export function defaultHumanModelDir(): string {
  // human's exports map hides package.json; its "node" entry is dist/human.node.js, models sit beside dist.
  return path.join(path.dirname(resolveModule('@vladmandic/human')), '..', 'models');
}

/* COCO class names as label names: Title Case, with a few names made plain. */
const NAME_OVERRIDES: Readonly<Record<string, string>> = {
  tv: 'TV',
  'hair drier': 'Hair Dryer',
  'cell phone': 'Mobile Phone',
  mouse: 'Computer Mouse',
  remote: 'Remote Control',
};
export function labelName(cocoClass: string): string {
  return NAME_OVERRIDES[cocoClass] ?? cocoClass.replace(/\b\p{L}/gu, (c) => c.toUpperCase());
}

/*
 * CenterNet scores run low: on the fixtures the clearly visible person scores 0.47-0.73, the cup 0.45,
 * while wrong detections (a flag taken for a person, the shuttle model for a bottle, a rocket plume for
 * a clock) score 0.10-0.32. The mapping puts 0.3 at 50 % (the API's default minConfidence) and the usual
 * range of right answers (0.45 and up) at 80 % and above. Raw scores under 0.1 are never reported.
 */
const RAW_MIN_SCORE = 0.1;
const labelConfidence = piecewiseLinear([
  [0, 0],
  [0.15, 20],
  [0.3, 50],
  [0.45, 80],
  [0.6, 92],
  [0.8, 98],
  [1, 100],
]);

/** COCO object detection with human's CenterNet (80 classes). */
export class LabelModel {
  private constructor(
    private readonly tf: Tf,
    private readonly human: HumanInstance,
  ) {}

  static async load(tf: Tf, modelDir: string = defaultHumanModelDir(), wasmDir: string): Promise<LabelModel> {
    requireFiles('human CenterNet model', modelDir, ['centernet.json', 'centernet.bin'], installHint('@vladmandic/human'));
    const humanEntry = path.join(path.dirname(resolveModule('@vladmandic/human')), 'human.node-wasm.js');
    const { Human } = await loadModule<HumanModule>('@vladmandic/human', humanEntry);
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
      face: { enabled: false },
      body: { enabled: false },
      hand: { enabled: false },
      segmentation: { enabled: false },
      object: {
        enabled: true,
        modelPath: 'centernet.json',
        skipFrames: 0,
        skipTime: 0,
        minConfidence: RAW_MIN_SCORE,
        iouThreshold: 0.4,
        maxDetected: 100,
      },
    });
    try {
      await withFileFetch(() => human.load());
    } catch (cause) {
      throw new EngineUnavailableError(
        `human CenterNet model in ${modelDir} failed to load (${(cause as Error).message}): ${installHint('@vladmandic/human')}`,
        { cause },
      );
    }
    if (!human.models.models['centernet']) {
      throw new EngineUnavailableError(`human CenterNet model did not load from ${modelDir}: ${installHint('@vladmandic/human')}`);
    }
    return new LabelModel(tf, human);
  }

  async warmup(): Promise<void> {
    const { tf } = this;
    const image = tf.tidy(() => tf.randomUniform([192, 256, 3], 0, 255, 'int32') as Tensor3D);
    try {
      await this.run(image);
    } finally {
      image.dispose();
    }
  }

  async detect(image: Tensor3D, params: LabelsDetectParams): Promise<LabelsDetectResult> {
    const [height, width] = image.shape;
    const objects = await this.run(image);
    const byName = new Map<string, LabelsDetectResult['labels'][number]['instances']>();
    for (const object of objects) {
      const confidence = percent(labelConfidence(object.score));
      if (confidence < params.minConfidence) continue;
      const [x, y, w, h] = object.boxRaw;
      const name = labelName(object.label);
      const instances = byName.get(name) ?? [];
      instances.push({ boundingBox: toRatioBox({ x: x * width, y: y * height, width: w * width, height: h * height }, width, height), confidence });
      byName.set(name, instances);
    }
    const labels = [...byName.entries()].map(([name, instances]) => {
      instances.sort((a, b) => b.confidence - a.confidence);
      return { name, confidence: instances[0].confidence, instances };
    });
    labels.sort((a, b) => b.confidence - a.confidence || a.name.localeCompare(b.name));
    return { labels: labels.slice(0, params.maxLabels) };
  }

  dispose(): void {
    for (const model of Object.values(this.human.models.models)) model?.dispose();
    this.human.models.reset();
  }

  private async run(image: Tensor3D): Promise<HumanObject[]> {
    const batch = this.tf.expandDims(image, 0);
    try {
      const result = await this.human.detect(batch);
      if (result.error) throw new Error(`object detection failed: ${result.error}`);
      return result.object;
    } finally {
      batch.dispose();
    }
  }
}
