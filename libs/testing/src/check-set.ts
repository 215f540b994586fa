import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import type {
  BoundingBox,
  FacesCompareParams,
  FacesCompareResult,
  FacesDetectResult,
  LabelsDetectParams,
  LabelsDetectResult,
  TextDetectResult,
} from '@nomosly/contracts';
import { inspectImage, type EncodedImage } from '@nomosly/images';
import { quantile } from './fairness';
import { REPO_ROOT } from './paths';

/*
 * The check set of issue 15 (fixtures/check-set): photos no engine was tuned on, with hand-written truth, and
 * the scoring of an engine over them, per operation. `npm run bench:quality` prints the report; the engines'
 * check-set spec asserts the issue's quality gates on it.
 */

export const CHECK_SET_DIR = path.join(REPO_ROOT, 'fixtures/check-set');
/** A detected face is the truth face when their boxes overlap by at least this (intersection over union). */
export const FACE_MATCH_IOU = 0.4;
/** A missed face with a false detection overlapping it at least this much is a near miss: found, but boxed badly. */
export const FACE_NEAR_MISS_IOU = 0.2;
/** Labels are asked for with no threshold (for calibration) and scored from this confidence on, the API's default. */
export const LABEL_MIN_CONFIDENCE = 50;
/** Calibration bins: [from, to) of label confidence. */
export const CALIBRATION_BINS: readonly (readonly [number, number])[] = [
  [0, 50],
  [50, 60],
  [60, 70],
  [70, 80],
  [80, 90],
  [90, 100.0001],
];

const ratio = z.number().min(0).max(1);
const truthFaceSchema = z.strictObject({
  left: ratio,
  top: ratio,
  width: ratio,
  height: ratio,
  profile: z.boolean().optional(),
  ignore: z.boolean().optional(),
});
const truthImageSchema = z.strictObject({
  kind: z.enum(['people', 'portrait', 'animal', 'object', 'scene', 'text', 'document']),
  faces: z.array(truthFaceSchema),
  labels: z.array(z.string()),
  acceptable: z.array(z.string()),
  absurd: z.array(z.string()),
  text: z.array(z.string()).optional(),
});
const truthSchema = z.strictObject({
  version: z.literal(1),
  note: z.string(),
  groups: z.record(z.string(), z.array(z.string())),
  images: z.record(z.string(), truthImageSchema),
  pairs: z.array(z.strictObject({ a: z.string(), b: z.string(), same: z.boolean() })),
});

export type CheckSetKind = z.infer<typeof truthImageSchema>['kind'];
export type TruthFace = z.infer<typeof truthFaceSchema>;

export interface CheckSetImage {
  file: string;
  kind: CheckSetKind;
  faces: TruthFace[];
  /** Labels a person would give: recall counts these. */
  labels: string[];
  /** Labels that are right but not demanded (with `labels`: what precision counts as right). */
  acceptable: string[];
  /** Labels a person would call absurd on this image. */
  absurd: string[];
  text?: string[];
}

export interface CheckSetPair {
  a: string;
  b: string;
  same: boolean;
}

export interface CheckSet {
  dir: string;
  images: CheckSetImage[];
  pairs: CheckSetPair[];
}

/** Reads truth.json (groups expanded), failing on a malformed entry or an image without truth or file. */
export function loadCheckSet(dir: string = CHECK_SET_DIR): CheckSet {
  const parsed = truthSchema.safeParse(JSON.parse(readFileSync(path.join(dir, 'truth.json'), 'utf8')));
  if (!parsed.success) throw new Error(`${dir}/truth.json: ${z.prettifyError(parsed.error)}`);
  const truth = parsed.data;
  const expand = (names: string[], file: string): string[] => [
    ...new Set(
      names.flatMap((name) => {
        if (!name.startsWith('@')) return [name];
        const group = truth.groups[name.slice(1)];
        if (!group) throw new Error(`${dir}/truth.json: ${file} names the unknown group ${name}`);
        return group;
      }),
    ),
  ];
  const files = readdirSync(path.join(dir, 'images')).sort();
  const described = Object.keys(truth.images).sort();
  const unmatched = [...files.filter((f) => !truth.images[f]), ...described.filter((f) => !files.includes(f))];
  if (unmatched.length > 0) throw new Error(`${dir}: images and truth.json disagree on ${unmatched.join(', ')}`);
  const images = described.map((file) => {
    const entry = truth.images[file];
    return {
      file,
      kind: entry.kind,
      faces: entry.faces,
      labels: expand(entry.labels, file),
      acceptable: expand(entry.acceptable, file),
      absurd: expand(entry.absurd, file),
      ...(entry.text ? { text: entry.text } : {}),
    };
  });
  for (const pair of truth.pairs) {
    for (const file of [pair.a, pair.b]) {
      if (!truth.images[file]) throw new Error(`${dir}/truth.json: pair names the unknown image ${file}`);
    }
  }
  return { dir, images, pairs: truth.pairs };
}

/** What the check set calls on an engine: the VisionEngine interface of @nomosly/engines, structurally. */
export interface CheckSetEngine {
  detectFaces(image: EncodedImage): Promise<FacesDetectResult>;
  compareFaces(source: EncodedImage, target: EncodedImage, params: FacesCompareParams): Promise<FacesCompareResult>;
  detectLabels(image: EncodedImage, params: LabelsDetectParams): Promise<LabelsDetectResult>;
  detectText(image: EncodedImage): Promise<TextDetectResult>;
}

export type CheckSetOperation = 'faces.detect' | 'faces.compare' | 'labels.detect' | 'text.detect';
export const CHECK_SET_OPERATIONS: readonly CheckSetOperation[] = ['faces.detect', 'faces.compare', 'labels.detect', 'text.detect'];

export interface Latency {
  calls: number;
  p50Ms: number;
  p95Ms: number;
}

export interface FacesImageScore {
  file: string;
  truth: number;
  found: number;
  missed: TruthFace[];
  falseFaces: BoundingBox[];
  answer: { boundingBox: BoundingBox; confidence: number }[];
}

export interface FacesScore {
  images: number;
  truthFaces: number;
  found: number;
  detections: number;
  falseFaces: number;
  recall: number;
  precision: number;
  falseFacesPer20Images: number;
  /** Missed faces that a false detection overlaps by FACE_NEAR_MISS_IOU or more (the box, not the face, was wrong). */
  nearMisses: number;
  frontal: { truth: number; found: number; recall: number };
  profile: { truth: number; found: number; recall: number };
  perImage: FacesImageScore[];
  latency: Latency;
}

export interface PairScore extends CheckSetPair {
  /** The best match's similarity (threshold 0), or 0 when either image gave no face. */
  similarity: number;
  sourceFound: boolean;
}

export interface CompareScore {
  pairs: PairScore[];
  same: { count: number; min: number; median: number };
  different: { count: number; max: number; median: number };
  latency: Latency;
}

export interface LabelsImageScore {
  file: string;
  expected: string[];
  missed: string[];
  wrong: { name: string; confidence: number }[];
  absurd: { name: string; confidence: number }[];
  answer: { name: string; confidence: number }[];
}

export interface LabelsScore {
  returned: number;
  right: number;
  expected: number;
  found: number;
  precision: number;
  recall: number;
  absurd: { file: string; name: string; confidence: number }[];
  /** Per bin of confidence (all labels, also those under LABEL_MIN_CONFIDENCE): how many, and the share right. */
  calibration: { from: number; to: number; count: number; right: number; shareRight: number }[];
  perImage: LabelsImageScore[];
  latency: Latency;
}

export interface TextImageScore {
  file: string;
  truthWords: number;
  found: number;
  recall: number;
  answerWords: string[];
}

export interface TextScore {
  truthWords: number;
  found: number;
  recall: number;
  /** Of the words read on text and document images, the share that are in the truth. */
  precision: number;
  perImage: TextImageScore[];
  latency: Latency;
}

export interface CheckSetReport {
  images: number;
  faces?: FacesScore;
  compare?: CompareScore;
  labels?: LabelsScore;
  text?: TextScore;
}

export interface RunCheckSetOptions {
  set?: CheckSet;
  operations?: readonly CheckSetOperation[];
}

/** Runs the engine over the check set, one call at a time (latency is per call), and scores every operation asked. */
export async function runCheckSet(engine: CheckSetEngine, options: RunCheckSetOptions = {}): Promise<CheckSetReport> {
  const set = options.set ?? loadCheckSet();
  const operations = new Set(options.operations ?? CHECK_SET_OPERATIONS);
  const encoded = new Map<string, EncodedImage>();
  for (const image of set.images) encoded.set(image.file, await inspectImage(readFileSync(path.join(set.dir, 'images', image.file))));
  const at = (file: string): EncodedImage => encoded.get(file) as EncodedImage;

  const report: CheckSetReport = { images: set.images.length };
  if (operations.has('faces.detect')) {
    const timed = await timeEach(set.images, (image) => engine.detectFaces(at(image.file)));
    report.faces = scoreFaces(set.images, timed.results, timed.latency);
  }
  if (operations.has('faces.compare')) {
    const timed = await timeEach(set.pairs, (pair) => engine.compareFaces(at(pair.a), at(pair.b), { similarityThreshold: 0 }));
    report.compare = scoreCompare(set.pairs, timed.results, timed.latency);
  }
  if (operations.has('labels.detect')) {
    const timed = await timeEach(set.images, (image) => engine.detectLabels(at(image.file), { maxLabels: 1000, minConfidence: 0 }));
    report.labels = scoreLabels(set.images, timed.results, timed.latency);
  }
  if (operations.has('text.detect')) {
    const readable = set.images.filter((image) => image.text);
    const timed = await timeEach(readable, (image) => engine.detectText(at(image.file)));
    report.text = scoreText(readable, timed.results, timed.latency);
  }
  return report;
}

async function timeEach<T, R>(items: readonly T[], call: (item: T) => Promise<R>): Promise<{ results: R[]; latency: Latency }> {
  const results: R[] = [];
  const times: number[] = [];
  for (const item of items) {
    const started = performance.now();
    results.push(await call(item));
    times.push(performance.now() - started);
  }
  return { results, latency: latencyOf(times) };
}

function latencyOf(times: number[]): Latency {
  if (times.length === 0) return { calls: 0, p50Ms: 0, p95Ms: 0 };
  return { calls: times.length, p50Ms: quantile(times, 0.5), p95Ms: quantile(times, 0.95) };
}

/** Intersection over union of two boxes in ratios of the image. */
export function boxIou(a: BoundingBox, b: BoundingBox): number {
  const width = Math.min(a.left + a.width, b.left + b.width) - Math.max(a.left, b.left);
  const height = Math.min(a.top + a.height, b.top + b.height) - Math.max(a.top, b.top);
  if (width <= 0 || height <= 0) return 0;
  const intersection = width * height;
  return intersection / (a.width * a.height + b.width * b.height - intersection);
}

/**
 * Greedy one-to-one matching, best overlap first. A detection left over that overlaps an `ignore` face is
 * neither a hit nor a false face; ignored faces do not count for recall.
 */
export function matchFaces(truth: readonly TruthFace[], detected: readonly BoundingBox[]): { found: TruthFace[]; missed: TruthFace[]; falseFaces: BoundingBox[] } {
  const candidates: { t: number; d: number; iou: number }[] = [];
  truth.forEach((face, t) => detected.forEach((box, d) => candidates.push({ t, d, iou: boxIou(face, box) })));
  candidates.sort((x, y) => y.iou - x.iou);
  const truthUsed = new Set<number>();
  const detectionUsed = new Set<number>();
  for (const { t, d, iou } of candidates) {
    if (iou < FACE_MATCH_IOU) break;
    if (truthUsed.has(t) || detectionUsed.has(d)) continue;
    truthUsed.add(t);
    detectionUsed.add(d);
  }
  const found = truth.filter((face, t) => truthUsed.has(t) && !face.ignore);
  const missed = truth.filter((face, t) => !truthUsed.has(t) && !face.ignore);
  const falseFaces = detected
    .filter((_, d) => !detectionUsed.has(d))
    .filter((box) => !truth.some((face) => face.ignore && boxIou(face, box) >= FACE_MATCH_IOU));
  return { found, missed, falseFaces };
}

function share(part: number, whole: number): number {
  return whole === 0 ? 1 : part / whole;
}

export function scoreFaces(images: readonly CheckSetImage[], results: readonly FacesDetectResult[], latency: Latency): FacesScore {
  const perImage = images.map((image, i): FacesImageScore => {
    const answer = results[i].faces.map((face) => ({ boundingBox: face.boundingBox, confidence: face.confidence }));
    const { found, missed, falseFaces } = matchFaces(image.faces, answer.map((face) => face.boundingBox));
    return { file: image.file, truth: found.length + missed.length, found: found.length, missed, falseFaces, answer };
  });
  const counted = images.flatMap((image, i) => image.faces.filter((face) => !face.ignore).map((face) => ({ face, found: !perImage[i].missed.includes(face) })));
  const tally = (profile: boolean) => {
    const faces = counted.filter((c) => Boolean(c.face.profile) === profile);
    const found = faces.filter((c) => c.found).length;
    return { truth: faces.length, found, recall: share(found, faces.length) };
  };
  const truthFaces = counted.length;
  const found = counted.filter((c) => c.found).length;
  const detections = results.reduce((sum, result) => sum + result.faces.length, 0);
  const falseFaces = perImage.reduce((sum, image) => sum + image.falseFaces.length, 0);
  const nearMisses = perImage.reduce(
    (sum, image) => sum + image.missed.filter((face) => image.falseFaces.some((box) => boxIou(face, box) >= FACE_NEAR_MISS_IOU)).length,
    0,
  );
  return {
    images: images.length,
    truthFaces,
    found,
    detections,
    falseFaces,
    recall: share(found, truthFaces),
    precision: share(found, found + falseFaces),
    falseFacesPer20Images: (falseFaces / images.length) * 20,
    nearMisses,
    frontal: tally(false),
    profile: tally(true),
    perImage,
    latency,
  };
}

export function scoreCompare(pairs: readonly CheckSetPair[], results: readonly FacesCompareResult[], latency: Latency): CompareScore {
  const scored = pairs.map((pair, i): PairScore => {
    const result = results[i];
    const similarity = Math.max(0, ...result.matches.map((match) => match.similarity));
    return { ...pair, similarity, sourceFound: result.sourceFace !== null };
  });
  const same = scored.filter((pair) => pair.same).map((pair) => pair.similarity);
  const different = scored.filter((pair) => !pair.same).map((pair) => pair.similarity);
  const median = (values: number[]) => (values.length === 0 ? 0 : quantile(values, 0.5));
  return {
    pairs: scored,
    same: { count: same.length, min: same.length === 0 ? 0 : Math.min(...same), median: median(same) },
    different: { count: different.length, max: different.length === 0 ? 0 : Math.max(...different), median: median(different) },
    latency,
  };
}

const sameName = (a: string, b: string): boolean => a.toLowerCase() === b.toLowerCase();

export function scoreLabels(images: readonly CheckSetImage[], results: readonly LabelsDetectResult[], latency: Latency): LabelsScore {
  const judged: { right: boolean; confidence: number }[] = [];
  const perImage = images.map((image, i): LabelsImageScore => {
    const all = results[i].labels.map((label) => ({ name: label.name, confidence: label.confidence }));
    const isRight = (name: string) => [...image.labels, ...image.acceptable].some((truth) => sameName(truth, name));
    for (const label of all) judged.push({ right: isRight(label.name), confidence: label.confidence });
    const answer = all.filter((label) => label.confidence >= LABEL_MIN_CONFIDENCE);
    return {
      file: image.file,
      expected: image.labels,
      missed: image.labels.filter((name) => !answer.some((label) => sameName(label.name, name))),
      wrong: answer.filter((label) => !isRight(label.name)),
      absurd: answer.filter((label) => image.absurd.some((name) => sameName(name, label.name))),
      answer,
    };
  });
  const returned = perImage.reduce((sum, image) => sum + image.answer.length, 0);
  const wrong = perImage.reduce((sum, image) => sum + image.wrong.length, 0);
  const expected = perImage.reduce((sum, image) => sum + image.expected.length, 0);
  const missed = perImage.reduce((sum, image) => sum + image.missed.length, 0);
  const calibration = CALIBRATION_BINS.map(([from, to]) => {
    const inBin = judged.filter((label) => label.confidence >= from && label.confidence < to);
    const right = inBin.filter((label) => label.right).length;
    return { from, to: Math.min(to, 100), count: inBin.length, right, shareRight: share(right, inBin.length) };
  });
  return {
    returned,
    right: returned - wrong,
    expected,
    found: expected - missed,
    precision: share(returned - wrong, returned),
    recall: share(expected - missed, expected),
    absurd: perImage.flatMap((image) => image.absurd.map((label) => ({ file: image.file, ...label }))),
    calibration,
    perImage,
    latency,
  };
}

/** Lower-case words of letters and digits: punctuation and case are not what OCR is judged on here. */
export function wordsOf(text: string): string[] {
  return text
    .toLowerCase()
    .split(/\s+/)
    .map((word) => word.replace(/[^\p{L}\p{N}]+/gu, ''))
    .filter((word) => word.length > 0);
}

export function scoreText(images: readonly CheckSetImage[], results: readonly TextDetectResult[], latency: Latency): TextScore {
  let read = 0;
  let readRight = 0;
  const perImage = images.map((image, i): TextImageScore => {
    const truth = wordsOf((image.text ?? []).join(' '));
    const answerWords = results[i].text.filter((item) => item.type === 'WORD').flatMap((item) => wordsOf(item.text));
    const remaining = [...answerWords];
    let found = 0;
    for (const word of truth) {
      const at = remaining.indexOf(word);
      if (at >= 0) {
        found++;
        remaining.splice(at, 1);
      }
    }
    read += answerWords.length;
    readRight += answerWords.length - remaining.length;
    return { file: image.file, truthWords: truth.length, found, recall: share(found, truth.length), answerWords };
  });
  const truthWords = perImage.reduce((sum, image) => sum + image.truthWords, 0);
  const found = perImage.reduce((sum, image) => sum + image.found, 0);
  return { truthWords, found, recall: share(found, truthWords), precision: share(readRight, read), perImage, latency };
}

/** The quality gates, as figures of a report. */
export interface GateFigures {
  faceRecall: number;
  falseFacesPer20Images: number;
  compareSameMin: number;
  compareSameMedian: number;
  compareDifferentMax: number;
  absurdLabels: number;
}

export function gateFigures(report: CheckSetReport): GateFigures {
  if (!report.faces || !report.compare || !report.labels) throw new Error('gate figures need faces.detect, faces.compare and labels.detect');
  return {
    faceRecall: report.faces.recall,
    falseFacesPer20Images: report.faces.falseFacesPer20Images,
    compareSameMin: report.compare.same.min,
    compareSameMedian: report.compare.same.median,
    compareDifferentMax: report.compare.different.max,
    absurdLabels: report.labels.absurd.length,
  };
}

/** The figures that are gates (the same-person median is shown beside them, not gated). */
export type GateName = Exclude<keyof GateFigures, 'compareSameMedian'>;

export interface Gate {
  what: string;
  /** `atLeast`: the figure must be >= bound; `atMost`: <= bound; `below`: < bound. */
  rule: 'atLeast' | 'atMost' | 'below';
  bound: number;
}

/** How each rule is written beside a figure. */
export const GATE_RULE_SYMBOL: Readonly<Record<Gate['rule'], string>> = { atLeast: '>=', atMost: '<=', below: '<' };

/** Issue 15's quality gates on the check set, as the issue states them. */
export const CHECK_SET_GATES: Readonly<Record<GateName, Gate>> = {
  faceRecall: { what: 'face recall', rule: 'atLeast', bound: 0.95 },
  falseFacesPer20Images: { what: 'false faces per 20 images', rule: 'atMost', bound: 1 },
  compareSameMin: { what: 'compare, same person: lowest similarity', rule: 'atLeast', bound: 90 },
  compareDifferentMax: { what: 'compare, different people: highest similarity', rule: 'below', bound: 50 },
  absurdLabels: { what: 'absurd labels', rule: 'atMost', bound: 0 },
};

export function meetsGate(gate: Gate, value: number): boolean {
  if (gate.rule === 'atLeast') return value >= gate.bound;
  if (gate.rule === 'atMost') return value <= gate.bound;
  return value < gate.bound;
}

/** Whether `value` is worse than `recorded` in the gate's direction (higher is better for `atLeast`). */
export function worseThan(gate: Gate, value: number, recorded: number): boolean {
  return gate.rule === 'atLeast' ? value < recorded : value > recorded;
}
