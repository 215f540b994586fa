import type { Label, LabelsDetectParams, LabelsDetectResult } from '@nomosly/contracts';
import { area, percent, piecewiseLinear, toRatioBox, type PixelBox } from './geometry';
import type { HumanObject } from './human';
import { ancestors, categories, cocoLabelName } from './taxonomy';


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

type Instance = Label['instances'][number];

/** A face as the labels path sees it: its box in pixels and its calibrated confidence (0..100). */
export interface SeenFace {
  box: PixelBox;
  confidence: number;
}

/*
 * What the count and size of faces say about a photo (sizes as the face box's height over the image's):
 * - any face: Face, and so Head and Person (a face is a person even when the object model misses the body);
 * - Portrait: one to three faces, the largest at least PORTRAIT_FACE_HEIGHT of the image;
 * - Selfie: one face of at least SELFIE_FACE_HEIGHT (an arm's length close-up), at SELFIE_CONFIDENCE of the
 *   face's confidence, since a close-up taken by someone else looks the same;
 * - Crowd: CROWD_FACES faces or more.
 */
const PORTRAIT_FACE_HEIGHT = 0.2;
const SELFIE_FACE_HEIGHT = 0.45;
const SELFIE_CONFIDENCE = 0.6;
const CROWD_FACES = 6;

/** The labels the face detector gives, with their confidences. */
export function faceLabels(faces: readonly SeenFace[], imageWidth: number, imageHeight: number): Map<string, number> {
  const found = new Map<string, number>();
  if (faces.length === 0) return found;
  const best = Math.max(...faces.map((f) => f.confidence));
  found.set('Face', best);
  const largest = faces.reduce((a, b) => (area(b.box) > area(a.box) ? b : a));
  const largestHeight = largest.box.height / imageHeight;
  if (faces.length <= 3 && largestHeight >= PORTRAIT_FACE_HEIGHT) found.set('Portrait', largest.confidence);
  if (faces.length === 1 && largestHeight >= SELFIE_FACE_HEIGHT && largest.box.width / imageWidth >= SELFIE_FACE_HEIGHT / 2) {
    found.set('Selfie', largest.confidence * SELFIE_CONFIDENCE);
  }
  if (faces.length >= CROWD_FACES) {
    const sorted = faces.map((f) => f.confidence).sort((a, b) => b - a);
    found.set('Crowd', sorted[CROWD_FACES - 1]);
  }
  return found;
}

/**
 * Labels from the object model and the face detector, through the taxonomy: one label per name with every
 * instance at or above `minConfidence` (its confidence is its best instance's, or the face detector's when
 * higher); each label's ancestors become labels too, at the confidence of their best child. Then, as
 * Rekognition does, `minConfidence` and `maxLabels` apply to the whole list: by confidence, then the most
 * general label first, then by name.
 */
export function toLabelsResult(
  objects: readonly HumanObject[],
  width: number,
  height: number,
  params: LabelsDetectParams,
  faces: readonly SeenFace[] = [],
): LabelsDetectResult {
  const instancesByName = new Map<string, Instance[]>();
  const confidence = new Map<string, number>();
  const raise = (name: string, value: number) => confidence.set(name, Math.max(confidence.get(name) ?? 0, value));

  for (const object of objects) {
    const value = percent(labelConfidence(object.score));
    const name = cocoLabelName(object.label);
    raise(name, value);
    if (value < params.minConfidence) continue;
    const [x, y, w, h] = object.boxRaw;
    const boundingBox = toRatioBox({ x: x * width, y: y * height, width: w * width, height: h * height }, width, height);
    const instances = instancesByName.get(name) ?? [];
    instances.push({ boundingBox, confidence: value });
    instancesByName.set(name, instances);
  }
  for (const [name, value] of faceLabels(faces, width, height)) raise(name, percent(value));
  for (const [name, value] of [...confidence]) for (const parent of ancestors(name)) raise(parent, value);

  const labels: Label[] = [...confidence]
    .filter(([, value]) => value >= params.minConfidence)
    .map(([name, value]) => ({
      name,
      confidence: value,
      instances: (instancesByName.get(name) ?? []).sort((a, b) => b.confidence - a.confidence),
      parents: ancestors(name).map((parent) => ({ name: parent })),
      categories: categories(name).map((category) => ({ name: category })),
    }));
  // At equal confidence (a label and the parents it lends its confidence to) the most general comes first: with
  // few labels asked for, a portrait is a Person before it is a Face or a Portrait, a dog an Animal before a Dog.
  labels.sort((a, b) => b.confidence - a.confidence || a.parents.length - b.parents.length || a.name.localeCompare(b.name));
  return { labels: labels.slice(0, params.maxLabels) };
}
