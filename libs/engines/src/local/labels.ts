import type { LabelsDetectParams, LabelsDetectResult } from '@nomosly/contracts';
import { percent, piecewiseLinear, toRatioBox } from './geometry';
import type { HumanObject } from './human';

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
export const MIN_OBJECT_SCORE = 0.1;
export const labelConfidence = piecewiseLinear([
  [0, 0],
  [0.15, 20],
  [0.3, 50],
  [0.45, 80],
  [0.6, 92],
  [0.8, 98],
  [1, 100],
]);

type Instance = LabelsDetectResult['labels'][number]['instances'][number];

/**
 * One label per class, with every instance at or above `minConfidence`; the label's confidence is its
 * best instance's. Labels by confidence (then name), at most `maxLabels`.
 */
export function toLabelsResult(objects: readonly HumanObject[], width: number, height: number, params: LabelsDetectParams): LabelsDetectResult {
  const byName = new Map<string, Instance[]>();
  for (const object of objects) {
    const confidence = percent(labelConfidence(object.score));
    if (confidence < params.minConfidence) continue;
    const [x, y, w, h] = object.boxRaw;
    const boundingBox = toRatioBox({ x: x * width, y: y * height, width: w * width, height: h * height }, width, height);
    const name = labelName(object.label);
    const instances = byName.get(name) ?? [];
    instances.push({ boundingBox, confidence });
    byName.set(name, instances);
  }
  const labels = [...byName.entries()].map(([name, instances]) => {
    instances.sort((a, b) => b.confidence - a.confidence);
    return { name, confidence: instances[0].confidence, instances };
  });
  labels.sort((a, b) => b.confidence - a.confidence || a.name.localeCompare(b.name));
  return { labels: labels.slice(0, params.maxLabels) };
}
