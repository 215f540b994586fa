import path from 'node:path';
import type { Landmark } from '@nomosly/contracts';
import { EngineUnavailableError } from '../engine';
import { installHint, loadModule, requireFiles, resolveModule } from './modules';
import { area, clamp, clipBox, containment, iou, nonMaxSuppression, piecewiseLinear, ratio, type PixelBox, type Point } from './geometry';
import { ALIGNED_SIDE, alignedRegion, alignmentTransform, faceAlignment, faceBoxFromLandmarks } from './face-align';
import { fivePoints } from './pose';
import type { Tensor3D, Tf } from './tfjs-wasm';

type Tensor4D = ReturnType<Tf['image']['transform']>;

/* ---- the part of @vladmandic/face-api we use (its bundled typings carry their own copy of tfjs) ---- */

interface FaceApiBox extends PixelBox {
  clipAtImageBorders(imageWidth: number, imageHeight: number): FaceApiBox;
}
interface FaceApiDetection {
  score: number;
  box: PixelBox;
}
interface FaceApiLandmarks {
  positions: Point[];
  shiftBy(x: number, y: number): FaceApiLandmarks;
}
interface FaceApiNet {
  loadFromDisk(dir: string): Promise<void>;
  dispose(throwOnRedispose?: boolean): void;
  readonly isLoaded: boolean;
}
interface FaceApi {
  nets: {
    tinyFaceDetector: FaceApiNet & {
      locateFaces(input: Tensor3D, options: { inputSize: number; scoreThreshold: number }): Promise<FaceApiDetection[]>;
      /** The mean it subtracts from every input; unset when the caller subtracts it (see detectorInput). */
      readonly config: { meanRgb?: [number, number, number] };
    };
    faceLandmark68Net: FaceApiNet & { detectLandmarks(input: Tensor3D): Promise<FaceApiLandmarks | FaceApiLandmarks[]> };
    faceRecognitionNet: FaceApiNet & { computeFaceDescriptor(input: Tensor3D): Promise<Float32Array | Float32Array[]> };
  };
  Rect: new (x: number, y: number, width: number, height: number) => FaceApiBox;
  extractFaceTensors(image: Tensor3D, boxes: FaceApiBox[]): Promise<Tensor3D[]>;
}

/** Weight manifests (and shards) that must exist in the face-api model directory. */
const MODEL_FILES = [
  'tiny_face_detector_model-weights_manifest.json',
  'tiny_face_detector_model.bin',
  'face_landmark_68_model-weights_manifest.json',
  'face_landmark_68_model.bin',
  'face_recognition_model-weights_manifest.json',
  'face_recognition_model.bin',
] as const;

export function defaultFaceModelDir(): string {
  return path.join(path.dirname(resolveModule('@vladmandic/face-api', '@vladmandic/face-api/package.json')), 'model');
}

/*
 * Calibration, measured with the tiny detector on the fixtures and derived variants (tight crops, faces
 * pasted small into a 1600 px scene, composites, rotated, flipped and upscaled no-face photos):
 * - real faces score 0.62-1.00 at a suitable input size, small or unusual ones 0.3-0.7;
 * - no-face photos mostly stay under 0.25, but textured regions reach 0.5-0.61 (a space suit, a
 *   flipped saucer), i.e. the score alone cannot separate the 0.3-0.7 band.
 * So: candidates from 0.3; those of 0.7 and up are faces; those between are double-checked with
 * BlazeFace (a different model, with different mistakes) on a window around them. Real faces scored
 * 0.73-0.89 there (0.57 for a half-hidden profile, which is lost), the textured regions 0.54-0.67:
 * BlazeFace must reach 0.7 to confirm.
 */
export const FACE_CANDIDATE_SCORE = 0.3;
export const FACE_ACCEPT_SCORE = 0.7;
export const FACE_VERIFY_SCORE = 0.7;
/** At most this many uncertain candidates get the (~30 ms) second opinion per image. */
const MAX_VERIFICATIONS = 12;
/** And at most this many candidates of the small-face pass (a group photo's faces; see smallFaceInputSize). */
const MAX_SMALL_VERIFICATIONS = 24;
const detectorConfidence = piecewiseLinear([
  [0, 0],
  [FACE_CANDIDATE_SCORE, 30],
  [0.5, 60],
  [FACE_ACCEPT_SCORE, 95],
  [0.85, 99],
  [1, 99.9],
]);
const verifierConfidence = piecewiseLinear([
  [0, 0],
  [FACE_VERIFY_SCORE, 60],
  [0.85, 92],
  [0.95, 99],
  [1, 99.9],
]);

/** A second opinion on a face candidate: the best face score in a crop around it, with its box in the crop. */
export type FaceVerifier = (crop: Tensor3D) => Promise<{ score: number; box: PixelBox } | undefined>;

/*
 * Descriptor distance (euclidean, 128-d) to similarity. Measured: the same person's variants (mirror,
 * crop and recompress, rotate, darken, grey) 0.10-0.32; different people 0.67-0.87. face-api's usual
 * decision threshold is 0.6 (LFW); this mapping puts the API's default similarityThreshold (80) at 0.5,
 * a little stricter, same-person variants at 90+ and different people under 40.
 */
const similarityFromDistance = piecewiseLinear([
  [0, 100],
  [0.3, 95],
  [0.4, 90],
  [0.5, 80],
  [0.6, 55],
  [0.7, 30],
  [0.9, 5],
  [1.2, 0],
]);
export const similarity = (distance: number): number => similarityFromDistance(distance);

/** Tiny-detector input sizes used for an image: one for large faces, one chosen for small ones. */
export function detectorInputSizes(width: number, height: number): number[] {
  const longSide = Math.max(width, height);
  // The detector's anchors find faces of about 12-80 % of its input; a small input keeps close-ups
  // (a face filling the frame) inside that range, the second pass follows the image size so faces down
  // to ~8 % of the long side are found on larger photos. Sizes must be multiples of 32.
  // Measured cost on one core (wasm, SIMD): 224 -> 25-30 ms, 320 -> 48, 384 -> 65, 416 -> 78, 512 -> 123,
  // 608 -> 167.
  const fine = longSide >= 1400 ? 608 : longSide >= 900 ? 512 : longSide >= 560 ? 384 : 320;
  return [COARSE_INPUT_SIZE, fine];
}

/**
 * Images more elongated than this are searched in square tiles (see detectionTiles). Not lower: at 1.6 a 16:9
 * photo and a two-portrait composite (820x480) were tiled, and a tile's closer view of a space suit's flag patch
 * came back as a confident face that the whole image's two passes never give.
 */
const MAX_UNTILED_ASPECT = 2;
/** Consecutive tiles overlap by half a tile, so every face up to half the short side lies whole in one. */
const TILE_OVERLAP = 1 / 2;

/**
 * Where the detector looks: the whole image, or for a wide or tall one, square tiles of its short side along the
 * long side. face-api pads its input to a square, so a panorama's faces would shrink with its long side, below
 * what the detector finds (a 3:1 composite of three portraits lost two of its three faces); in tiles they keep
 * the size they have against the short side. The last tile is aligned to the image's end.
 */
export function detectionTiles(width: number, height: number): PixelBox[] {
  const long = Math.max(width, height);
  const short = Math.min(width, height);
  if (long <= MAX_UNTILED_ASPECT * short) return [{ x: 0, y: 0, width, height }];
  const step = Math.max(1, Math.floor(short * (1 - TILE_OVERLAP)));
  const count = Math.ceil((long - short) / step) + 1;
  const tiles: PixelBox[] = [];
  for (let i = 0; i < count; i += 1) {
    const start = Math.min(i * step, long - short);
    tiles.push(width >= height ? { x: start, y: 0, width: short, height } : { x: 0, y: start, width, height: short });
  }
  return tiles;
}

/*
 * The small-face pass. The tiny detector's smallest anchor spans about 1.6 cells of 32 px, ~51 px of its input:
 * at the fine pass's size a face of 30-45 px in a 500 px photo reaches it at ~0.6 of its size and is not found
 * (composites of the tuning faces pasted 28-48 px wide into the tuning scenes: 13 of 180 found). Upscaled so
 * that the image's long side is 1.4 times its pixels, 143 of 180 were found (1.1: 137, 1.25: 141, 1.6: 140);
 * beyond 1024 (~5x the fine pass's cost) the pass is capped, so on photos over ~730 px it finds faces from
 * ~40 px x (long side / 730).
 */
const SMALL_FACE_UPSCALE = 1.4;
const MAX_SMALL_FACE_INPUT = 1024;

/**
 * The tiny detector's input size for the small-face pass over a photo of usual shape, or undefined when it
 * would not look closer than the fine pass.
 */
export function smallFaceInputSize(width: number, height: number): number | undefined {
  const longSide = Math.max(width, height);
  const size = Math.min(MAX_SMALL_FACE_INPUT, Math.round((longSide * SMALL_FACE_UPSCALE) / 32) * 32);
  return size > Math.max(...detectorInputSizes(width, height)) ? size : undefined;
}

const COARSE_INPUT_SIZE = 224;
/**
 * The coarse pass's smallest anchor spans about 1.6 of its 7 grid cells, so it finds every face of more than
 * ~23 % of the long side; from 30 % on (with a margin) its answer is taken as complete.
 */
const COARSE_COMPLETE_FROM = 0.3;

export interface DetectOptions {
  /**
   * Only the largest face is wanted (a comparison's source). When the coarse pass already found a confident
   * face in its complete range, any larger face would be in that range too: the fine pass, which only adds
   * smaller faces, is skipped, and only that face gets landmarks.
   */
  largestOnly?: boolean;
  /** Set false when only the boxes are wanted (labels): no landmark pass, and `points` is empty. */
  landmarks?: boolean;
  /**
   * Run the small-face pass (faces under ~50 px, see smallFaceInputSize) unless the photo is a close-up (a
   * confident face of COARSE_COMPLETE_FROM of the long side or more). It costs 3-5 times the other passes, so it
   * defaults to false for a boxes-only caller (labels, which needs a face, not every face) and true otherwise.
   */
  smallFaces?: boolean;
}

/** Across scales the same face comes back with somewhat different boxes, one often nested in the other. */
const NMS_MAX_IOU = 0.3;
const NMS_MAX_CONTAINMENT = 0.7;
const overlapping = (a: PixelBox, b: PixelBox): boolean => iou(a, b) > NMS_MAX_IOU || containment(a, b) > NMS_MAX_CONTAINMENT;

/** A detector candidate; `small` when the small-face pass found it. */
interface Candidate {
  box: PixelBox;
  score: number;
  small?: boolean;
}

export interface RawFace {
  /** Pixel box in the analysed image, clipped to it. */
  box: PixelBox;
  /** Detector score 0..1. */
  score: number;
  /** Calibrated confidence 0..100 (from the detector, or its second opinion for uncertain candidates). */
  confidence: number;
  /** The 68 landmark points in pixels of the analysed image. */
  points: Point[];
}

/** The tiny face detector's input mean, as face-api shipped it (taken from it once, see FaceModels). */
let detectorMean: [number, number, number] | undefined;

/** face-api with the tiny detector, the 68-point landmark net and the 128-d recognition net. */
export class FaceModels {
  private readonly meanRgb: [number, number, number];

  private constructor(
    private readonly tf: Tf,
    private readonly api: FaceApi,
  ) {
    // face-api subtracts this mean inside every detector pass by building a full-size mean image with concat,
    // which the wasm backend does slowly (a third of a pass); detectorInput subtracts it once per image instead.
    // The net is a module global of face-api, so a second FaceModels finds the mean already taken.
    const { config } = api.nets.tinyFaceDetector;
    detectorMean ??= config.meanRgb;
    if (!detectorMean) throw new EngineUnavailableError('face-api tiny face detector came without its input mean');
    this.meanRgb = detectorMean;
    config.meanRgb = undefined;
  }

  static async load(tf: Tf, modelDir: string = defaultFaceModelDir()): Promise<FaceModels> {
    requireFiles('face-api models', modelDir, MODEL_FILES, installHint('@vladmandic/face-api'));
    const api = await loadModule<FaceApi>('@vladmandic/face-api', '@vladmandic/face-api/dist/face-api.node-wasm.js');
    const { tinyFaceDetector, faceLandmark68Net, faceRecognitionNet } = api.nets;
    try {
      for (const net of [tinyFaceDetector, faceLandmark68Net, faceRecognitionNet]) {
        if (!net.isLoaded) await net.loadFromDisk(modelDir);
      }
    } catch (cause) {
      throw new EngineUnavailableError(
        `face-api models in ${modelDir} failed to load (${(cause as Error).message}): ${installHint('@vladmandic/face-api')}`,
        { cause },
      );
    }
    return new FaceModels(tf, api);
  }

  /** One inference per model and per detector input size, so the first request does not pay for it. */
  async warmup(): Promise<void> {
    const { tf } = this;
    const image = tf.tidy(() => tf.randomUniform([192, 256, 3], 0, 255, 'int32') as Tensor3D);
    const input = this.detectorInput(image);
    try {
      for (const inputSize of [224, 320, 384, 512, 608]) {
        await this.api.nets.tinyFaceDetector.locateFaces(input, { inputSize, scoreThreshold: 0.99 });
      }
      const face: RawFace = { box: { x: 64, y: 32, width: 112, height: 128 }, score: 1, confidence: 100, points: [] };
      face.points = await this.landmarks(image, face.box);
      await this.descriptor(image, face);
    } finally {
      input.dispose();
      image.dispose();
    }
  }

  /**
   * Every face: the tiny detector at two input sizes over the image (and a third, upscaled, for small faces), or
   * over overlapping square tiles of a wide or tall one, merged with NMS; confident candidates kept, uncertain ones
   * and those only the small-face pass found confirmed by `verify`; then 68 landmarks per face.
   */
  async detect(image: Tensor3D, verify: FaceVerifier, options: DetectOptions = {}): Promise<RawFace[]> {
    const [height, width] = image.shape;
    const candidates: Candidate[] = [];
    const tiles = detectionTiles(width, height);
    if (tiles.length === 1) {
      const [coarse, fine] = detectorInputSizes(width, height);
      const input = this.detectorInput(image);
      try {
        candidates.push(...(await this.locate(input, coarse, width, height)));
        const completeFrom = COARSE_COMPLETE_FROM * Math.max(width, height);
        const closeUp = (): boolean => candidates.some((c) => c.score >= FACE_ACCEPT_SCORE && Math.max(c.box.width, c.box.height) >= completeFrom);
        const settled = options.largestOnly && closeUp();
        if (!settled) candidates.push(...(await this.locate(input, fine, width, height)));
        const small = smallFaceInputSize(width, height);
        if (!options.largestOnly && (options.smallFaces ?? options.landmarks !== false) && small !== undefined && !closeUp()) {
          for (const found of await this.locate(input, small, width, height)) candidates.push({ ...found, small: true });
        }
      } finally {
        input.dispose();
      }
    } else {
      // A face larger than half the short side can be cut by every tile's edge: the whole image's coarse pass
      // sees it whole (a selfie close-up on a phone's tall screen).
      const input = this.detectorInput(image);
      try {
        candidates.push(...(await this.locate(input, COARSE_INPUT_SIZE, width, height)));
      } finally {
        input.dispose();
      }
      for (const tile of tiles) candidates.push(...(await this.locateInTile(image, tile)));
    }
    // The small-face pass only adds faces: its boxes never suppress the other passes' (a close-up's eye, found
    // upscaled with a higher score, would otherwise take the place of the whole face, and fail the check).
    const merged = nonMaxSuppression(
      candidates.filter((c) => !c.small),
      NMS_MAX_IOU,
      NMS_MAX_CONTAINMENT,
    );
    const added = nonMaxSuppression(
      candidates.filter((c) => c.small),
      NMS_MAX_IOU,
      NMS_MAX_CONTAINMENT,
    ).filter((c) => !merged.some((kept) => overlapping(kept.box, c.box)));
    merged.push(...added);
    let accepted: { box: PixelBox; score: number; confidence: number }[] = [];
    let verifications = 0;
    let smallVerifications = 0;
    for (const { box, score, small } of merged) {
      if (score >= FACE_ACCEPT_SCORE && !small) {
        accepted.push({ box, score, confidence: detectorConfidence(score) });
      } else if (small ? smallVerifications < MAX_SMALL_VERIFICATIONS : verifications < MAX_VERIFICATIONS) {
        // The upscaled pass sees texture closer than the detector was calibrated on (it scored a cat's face 0.93 on
        // the tuning images): what only it found is always double-checked, whatever its score.
        if (small) smallVerifications += 1;
        else verifications += 1;
        const second = await this.secondOpinion(image, box, verify);
        if (second >= FACE_VERIFY_SCORE) {
          accepted.push({ box, score, confidence: Math.max(detectorConfidence(score), verifierConfidence(second)) });
        }
      }
    }
    if (options.largestOnly && accepted.length > 1) accepted = [accepted.reduce((best, face) => (area(face.box) > area(best.box) ? face : best))];
    const faces: RawFace[] = [];
    for (const face of accepted) {
      const points = options.landmarks === false ? [] : await this.landmarks(image, face.box);
      faces.push({ ...face, box: faceBoxFromLandmarks(points, width, height) ?? face.box, points });
    }
    return faces.sort((a, b) => b.confidence - a.confidence);
  }

  /**
   * What the tiny detector is given: the image padded to a square with black on the right or bottom (as face-api
   * itself pads, so pixel coordinates do not move) and its mean subtracted, once for every pass.
   */
  private detectorInput(image: Tensor3D): Tensor3D {
    const { tf } = this;
    const [height, width] = image.shape;
    const side = Math.max(height, width);
    return tf.tidy(() =>
      tf
        .pad(image, [
          [0, side - height],
          [0, side - width],
          [0, 0],
        ])
        .toFloat()
        .sub(tf.tensor1d(this.meanRgb)),
    );
  }

  /** Face candidates from one pass of the tiny detector over a detectorInput, clipped to the image's own size. */
  private async locate(input: Tensor3D, inputSize: number, width: number, height: number): Promise<{ box: PixelBox; score: number }[]> {
    const found = await this.api.nets.tinyFaceDetector.locateFaces(input, { inputSize, scoreThreshold: FACE_CANDIDATE_SCORE });
    const candidates: { box: PixelBox; score: number }[] = [];
    for (const d of found) {
      const box = clipBox(d.box, width, height);
      // Drop slivers the detector sometimes leaves at the image border.
      if (box.width >= 8 && box.height >= 8 && area(box) >= 0.5 * area(d.box)) candidates.push({ box, score: d.score });
    }
    return candidates;
  }

  /** Both passes over one tile of the image; boxes in pixels of the whole image. */
  private async locateInTile(image: Tensor3D, tile: PixelBox): Promise<{ box: PixelBox; score: number }[]> {
    const input = this.tf.tidy(() => this.detectorInput(this.tf.slice(image, [tile.y, tile.x, 0], [tile.height, tile.width, 3])));
    try {
      const found: { box: PixelBox; score: number }[] = [];
      for (const inputSize of detectorInputSizes(tile.width, tile.height)) {
        for (const { box, score } of await this.locate(input, inputSize, tile.width, tile.height)) {
          found.push({ box: { ...box, x: box.x + tile.x, y: box.y + tile.y }, score });
        }
      }
      return found;
    } finally {
      input.dispose();
    }
  }

  /**
   * The verifier's score for a square window twice the candidate's size, centred on it (padded with
   * black where it leaves the image, so a face filling the frame still looks like a face in a scene),
   * if the face the verifier finds there is this candidate.
   */
  private async secondOpinion(image: Tensor3D, box: PixelBox, verify: FaceVerifier): Promise<number> {
    const { tf } = this;
    const [height, width] = image.shape;
    const side = Math.round(2 * Math.max(box.width, box.height));
    const left = Math.round(box.x + box.width / 2 - side / 2);
    const top = Math.round(box.y + box.height / 2 - side / 2);
    const x = clamp(left, 0, width - 1);
    const y = clamp(top, 0, height - 1);
    const w = Math.max(1, Math.min(width, left + side) - x);
    const h = Math.max(1, Math.min(height, top + side) - y);
    // BlazeFace looks at 256 px: no need to carry more than that.
    const scale = Math.min(1, 320 / side);
    const scaled = (v: number): number => Math.max(0, Math.round(v * scale));
    const window = tf.tidy(() => {
      let crop: Tensor3D = tf.slice(image, [y, x, 0], [h, w, 3]);
      if (scale < 1) crop = tf.image.resizeBilinear(crop, [Math.max(1, scaled(h)), Math.max(1, scaled(w))]);
      const padTop = scaled(y - top);
      const padLeft = scaled(x - left);
      const padBottom = Math.max(0, scaled(side) - padTop - crop.shape[0]);
      const padRight = Math.max(0, scaled(side) - padLeft - crop.shape[1]);
      return tf.pad(crop, [
        [padTop, padBottom],
        [padLeft, padRight],
        [0, 0],
      ]);
    });
    try {
      const found = await verify(window);
      if (!found) return 0;
      // The face found must be this candidate: its centre inside the candidate's box.
      const cx = left + (found.box.x + found.box.width / 2) / scale;
      const cy = top + (found.box.y + found.box.height / 2) / scale;
      const inside = cx >= box.x && cx <= box.x + box.width && cy >= box.y && cy <= box.y + box.height;
      return inside ? found.score : 0;
    } finally {
      window.dispose();
    }
  }

  /**
   * The 128-d descriptor of a detected face, from its crop aligned by the landmarks (eyes level, scaled by the
   * eye-to-mouth distance, see face-align.ts); from its box when it has no landmarks.
   */
  async descriptor(image: Tensor3D, face: RawFace): Promise<Float32Array> {
    const { tf } = this;
    const alignment = faceAlignment(face.points);
    const tensor = alignment
      ? tf.tidy(() => {
          // Only the region the turned square covers is cast to floats, not the whole image once per face.
          const [height, width] = image.shape;
          const region = clipBox(alignedRegion(alignment), width, height);
          const x = Math.min(width - 1, Math.floor(region.x));
          const y = Math.min(height - 1, Math.floor(region.y));
          const w = Math.max(1, Math.min(width - x, Math.ceil(region.x + region.width) - x));
          const h = Math.max(1, Math.min(height - y, Math.ceil(region.y + region.height) - y));
          const batch = tf.expandDims(tf.cast(tf.slice(image, [y, x, 0], [h, w, 3]), 'float32'), 0) as Tensor4D;
          const transform = alignmentTransform(alignment);
          transform[2] -= x;
          transform[5] -= y;
          return tf.squeeze(tf.image.transform(batch, tf.tensor2d([transform]), 'bilinear', 'constant', 0, [ALIGNED_SIDE, ALIGNED_SIDE]), [0]) as Tensor3D;
        })
      : (await this.api.extractFaceTensors(image, [this.rect(face.box)]))[0];
    try {
      const descriptor = await this.api.nets.faceRecognitionNet.computeFaceDescriptor(tensor);
      return Array.isArray(descriptor) ? descriptor[0] : descriptor;
    } finally {
      tensor.dispose();
    }
  }

  dispose(): void {
    for (const net of Object.values(this.api.nets)) {
      if (net.isLoaded) net.dispose(false);
    }
  }

  private async landmarks(image: Tensor3D, box: PixelBox): Promise<Point[]> {
    const rect = this.rect(box);
    const [tensor] = await this.api.extractFaceTensors(image, [rect]);
    try {
      const result = await this.api.nets.faceLandmark68Net.detectLandmarks(tensor);
      const landmarks = Array.isArray(result) ? result[0] : result;
      return landmarks.shiftBy(rect.x, rect.y).positions.map((p) => ({ x: p.x, y: p.y }));
    } finally {
      tensor.dispose();
    }
  }

  private rect(box: PixelBox): FaceApiBox {
    const x = Math.floor(box.x);
    const y = Math.floor(box.y);
    return new this.api.Rect(x, y, Math.max(1, Math.round(box.x + box.width) - x), Math.max(1, Math.round(box.y + box.height) - y));
  }
}

/** Rekognition's five landmarks from the 68-point (iBUG) layout, as ratios of the image. */
export function fiveLandmarks(points: readonly Point[], width: number, height: number): Landmark[] {
  const five = fivePoints(points);
  if (!five) return [];
  return Object.entries(five).map(([type, p]) => ({ type, x: ratio(p.x / width), y: ratio(p.y / height) }));
}

export function euclidean(a: Float32Array, b: Float32Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i += 1) {
    const d = a[i] - b[i];
    sum += d * d;
  }
  return Math.sqrt(sum);
}
