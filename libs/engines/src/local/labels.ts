import type { Label, LabelsDetectParams, LabelsDetectResult, TextDetectResult } from '@nomosly/contracts';
import { area, containment, iou, nonMaxSuppression, percent, piecewiseLinear, toRatioBox, type PixelBox } from './geometry';
import type { HumanObject } from './human';
import { ancestors, categories, cocoLabelName } from './taxonomy';
import { HAS_LETTER_OR_DIGIT, MIN_WORD_CONFIDENCE } from './text';


/*
 * The object model is nanodet (COCO-80; ADR 0010). Both it and CenterNet are decoded down to DECODE_SCORE so that
 * the second opinion on animals sees the classes each model ranks below its best; other classes are reported from
 * MIN_OBJECT_SCORE up.
 */
export const DECODE_SCORE = 0.05;
const MIN_OBJECT_SCORE = 0.1;

/*
 * Calibration, per source, on the tuning images (the fixtures, human's assets, and a composite of three portraits;
 * see docs/engines.md), so that 50 means right about half the time:
 * - nanodet, one label per class and image at its best score: from 0.44 up 6 of 7 were right (a frisbee on a game
 *   avatar at 0.45 was not); 0.30-0.44 2 of 5 (cup 0.38 and tie 0.37 right; sinks on a text image 0.32-0.35 and a
 *   mouse on the cat 0.31 wrong); 0.20-0.30 0 of 9; 0.10-0.20 0 of 21. Hence 50 between the highest wrong score of
 *   that band and the lowest right one (0.36); 0.37-0.45 3 of 4 right (tie, cup, a person in a crowd; not the
 *   frisbee), so 0.42 -> 72; 0.25 -> 15.
 */
export const objectConfidence = piecewiseLinear([
  [0, 0],
  [0.1, 2],
  [0.25, 15],
  [0.36, 50],
  [0.42, 72],
  [0.5, 80],
  [0.7, 93],
  [1, 99],
]);

/*
 * - animals (see resolveAnimals): the confidence that there is an animal at all is the larger of the two models'
 *   summed animal scores in the region; the cat (0.57: CenterNet's dog, cat and bird) was right,
 *   a bird inside a dancing crowd (nanodet 0.18, CenterNet 0.17) was wrong. Two points: the check set refines it.
 */
export const animalConfidence = piecewiseLinear([
  [0, 0],
  [0.2, 20],
  [0.35, 50],
  [0.5, 75],
  [0.7, 90],
  [1, 98],
]);

/** The COCO classes the second opinion settles: the object models confuse these among themselves. */
const ANIMAL_CLASSES: ReadonlySet<string> = new Set(['bird', 'cat', 'dog', 'horse', 'sheep', 'cow', 'elephant', 'bear', 'zebra', 'giraffe']);

/** CenterNet is asked only when nanodet sees an animal at least this sure (its cost is spent on animal photos only). */
const ANIMAL_TRIGGER = 0.1;

/** Boxes of one class overlapping this much are one object. */
const SAME_OBJECT_IOU = 0.5;
const SAME_OBJECT_CONTAINMENT = 0.8;
/** An animal detection belongs to an animal region when it overlaps it this much (either way). */
const REGION_IOU = 0.3;
const REGION_CONTAINMENT = 0.6;

/** An object as the labels see it: COCO class, calibrated confidence (0..100), box as ratios of the image. */
export interface SeenObject {
  cocoClass: string;
  confidence: number;
  box: PixelBox;
}

const boxOf = (object: HumanObject): PixelBox => {
  const [x, y, width, height] = object.boxRaw;
  return { x, y, width, height };
};

/** Whether nanodet's answer has an animal worth a second opinion. */
export function wantsSecondOpinion(nanodet: readonly HumanObject[]): boolean {
  return nanodet.some((o) => ANIMAL_CLASSES.has(o.label) && o.score >= ANIMAL_TRIGGER);
}

/** One detection per object: duplicates of a class suppressed within that class only. */
function suppressPerClass<T extends { cocoClass: string; box: PixelBox; score: number }>(detections: readonly T[]): T[] {
  const byClass = new Map<string, T[]>();
  for (const d of detections) byClass.set(d.cocoClass, [...(byClass.get(d.cocoClass) ?? []), d]);
  return [...byClass.values()].flatMap((group) => nonMaxSuppression(group, SAME_OBJECT_IOU, SAME_OBJECT_CONTAINMENT));
}

/**
 * The objects in a photo: nanodet's, with its animals settled by CenterNet's second opinion when given.
 * For each region around one of nanodet's animals, a species counts as agreed when both models name it there
 * (each above DECODE_SCORE); the agreed species with the highest product of the two scores wins, and only it is
 * reported, at the animal confidence of the region. With no agreed species, nanodet's best one is reported at half
 * its own confidence. A cat that CenterNet calls a dog (0.47) and a cat (0.07) while nanodet calls it a cat (0.17)
 * and no dog is a Cat. Without a second opinion nanodet's animals are reported as its other objects are.
 */
export function objectsSeen(nanodet: readonly HumanObject[], centernet?: readonly HumanObject[]): SeenObject[] {
  const scored = (o: HumanObject, model: 'nanodet' | 'centernet') => ({ cocoClass: o.label, score: o.score, box: boxOf(o), model });
  const primary = nanodet.map((o) => scored(o, 'nanodet'));
  const seen: SeenObject[] = [];
  const others = centernet ? primary.filter((d) => !ANIMAL_CLASSES.has(d.cocoClass)) : primary;
  for (const d of suppressPerClass(others.filter((o) => o.score >= MIN_OBJECT_SCORE))) {
    seen.push({ cocoClass: d.cocoClass, confidence: percent(objectConfidence(d.score)), box: d.box });
  }
  if (!centernet) return seen;

  const animals = [...primary, ...centernet.map((o) => scored(o, 'centernet'))].filter((d) => ANIMAL_CLASSES.has(d.cocoClass));
  const seeds = suppressPerClass(animals.filter((d) => d.model === 'nanodet' && d.score >= ANIMAL_TRIGGER));
  const regions = nonMaxSuppression(seeds, REGION_IOU, REGION_CONTAINMENT);
  for (const region of regions) {
    const members = animals.filter((d) => iou(d.box, region.box) >= REGION_IOU || containment(d.box, region.box) >= REGION_CONTAINMENT);
    const best = (model: string, cocoClass: string) =>
      Math.max(0, ...members.filter((d) => d.model === model && d.cocoClass === cocoClass).map((d) => d.score));
    const mass = (model: string) => {
      const classes = new Set(members.filter((d) => d.model === model).map((d) => d.cocoClass));
      return Math.min(1, [...classes].reduce((total, c) => total + best(model, c), 0));
    };
    const agreed = [...new Set(members.map((d) => d.cocoClass))]
      .map((cocoClass) => ({ cocoClass, product: best('nanodet', cocoClass) * best('centernet', cocoClass) }))
      .filter((c) => c.product > 0)
      .sort((a, b) => b.product - a.product);
    if (agreed.length > 0) {
      const confidence = percent(animalConfidence(Math.max(mass('nanodet'), mass('centernet'))));
      seen.push({ cocoClass: agreed[0].cocoClass, confidence, box: region.box });
    } else {
      seen.push({ cocoClass: region.cocoClass, confidence: percent(objectConfidence(region.score) / 2), box: region.box });
    }
  }
  return seen;
}

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

/*
 * Text and Document from the text detector's lines (words already filtered to confidence >= 70 with a letter or
 * digit): Text when the lines hold at least MIN_TEXT_CHARACTERS letters and digits, at the calibrated mean confidence
 * of their words; Document when besides there are DOCUMENT_LINES lines or more covering DOCUMENT_COVERAGE of the
 * image (a page, a sign, a screenshot of text), at the same confidence.
 */
const MIN_TEXT_CHARACTERS = 4;
const DOCUMENT_LINES = 3;
const DOCUMENT_COVERAGE = 0.15;
/*
 * On the tuning images every text found was real: human's two screenshots with UI text (mean word confidence 87 and
 * 92) and the rendered page printed_text.png (95); the photos and text.png's handwriting gave no word at all after
 * the filter. With no wrong answer to place 50 by, it sits at 80, between the filter's floor and the right answers.
 */
export const textConfidence = piecewiseLinear([
  [MIN_WORD_CONFIDENCE, 20],
  [80, 50],
  [90, 85],
  [100, 97],
]);

export function textLabels(text: TextDetectResult['text']): Map<string, number> {
  const found = new Map<string, number>();
  const lines = text.filter((t) => t.type === 'LINE');
  const words = text.filter((t) => t.type === 'WORD');
  const characters = words.reduce((total, w) => total + [...w.text].filter((c) => HAS_LETTER_OR_DIGIT.test(c)).length, 0);
  if (characters < MIN_TEXT_CHARACTERS) return found;
  const weighted = words.reduce((total, w) => total + w.confidence * w.text.length, 0) / words.reduce((total, w) => total + w.text.length, 0);
  const confidence = percent(textConfidence(weighted));
  found.set('Text', confidence);
  const coverage = lines.reduce((total, l) => total + l.boundingBox.width * l.boundingBox.height, 0);
  if (lines.length >= DOCUMENT_LINES && coverage >= DOCUMENT_COVERAGE) found.set('Document', confidence);
  return found;
}

/** What a photo shows, as each source saw it. */
interface SeenInPhoto {
  objects: readonly SeenObject[];
  faces?: readonly SeenFace[];
  text?: TextDetectResult['text'];
}

/**
 * Labels from the objects, faces and text seen, through the taxonomy: one label per name with every instance at or
 * above `minConfidence` (its confidence is its best instance's, or the face or text detector's when higher); each
 * label's ancestors become labels too, at the confidence of their best child. Then, as Rekognition does,
 * `minConfidence` and `maxLabels` apply to the whole list: by confidence, then the most general label first, then
 * by name.
 */
export function toLabelsResult(seen: SeenInPhoto, width: number, height: number, params: LabelsDetectParams): LabelsDetectResult {
  const instancesByName = new Map<string, Instance[]>();
  const confidence = new Map<string, number>();
  const raise = (name: string, value: number) => confidence.set(name, Math.max(confidence.get(name) ?? 0, value));

  for (const object of seen.objects) {
    const name = cocoLabelName(object.cocoClass);
    raise(name, object.confidence);
    if (object.confidence < params.minConfidence) continue;
    const { x, y, width: w, height: h } = object.box;
    const boundingBox = toRatioBox({ x: x * width, y: y * height, width: w * width, height: h * height }, width, height);
    const instances = instancesByName.get(name) ?? [];
    instances.push({ boundingBox, confidence: object.confidence });
    instancesByName.set(name, instances);
  }
  for (const [name, value] of faceLabels(seen.faces ?? [], width, height)) raise(name, percent(value));
  for (const [name, value] of textLabels(seen.text ?? [])) raise(name, value);
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
