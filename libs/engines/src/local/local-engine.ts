import type {
  Face,
  FacesCompareParams,
  FacesCompareResult,
  FacesDetectResult,
  LabelsDetectParams,
  LabelsDetectResult,
  TextDetectResult,
} from '@nomosly/contracts';
import { decodeImage, type EncodedImage } from '@nomosly/images';
import { EngineUnavailableError, type VisionEngine } from '../engine';
import { euclidean, fiveLandmarks, similarity, type FaceVerifier, type RawFace } from './faces';
import { imageProperties, regionQuality } from './image-measures';
import { DECODE_SCORE, objectsSeen, toLabelsResult, wantsSecondOpinion } from './labels';
import { poseOf68 } from './pose';
import { clamp, percent, toRatioBox } from './geometry';
import type { VisionRuntime } from './runtime';
import type { Sharp } from './sharp';
import { DEFAULT_TESSDATA_FILE, type TextModel } from './text';
import type { Tensor3D, Tf } from './tfjs-wasm';

/*
 * Everything heavy (tfjs, face-api, human, tesseract.js, sharp) is loaded inside start(), through
 * dynamic imports: importing this file, or `@nomosly/engines`, costs nothing.
 */

export interface LocalEngineOptions {
  /** eng.traineddata for tesseract (default: Debian's /usr/share/tesseract-ocr/5/tessdata/eng.traineddata). */
  tessdataFile?: string;
  /** face-api weights directory (default: the `model/` folder of @vladmandic/face-api). */
  faceModelDir?: string;
  /** human models directory with centernet.json/.bin and blazeface (default: the `models/` folder of @vladmandic/human). */
  humanModelDir?: string;
  /** Directory with nanodet.json/.bin (default: the `.cache/models/human-models-3.0.4` fetched by tools/scripts/fetch-models.mjs). */
  objectModelDir?: string;
  /** Directory of the tfjs wasm binaries (default: @tensorflow/tfjs-backend-wasm's `dist/`). */
  wasmDir?: string;
  /** Run every model once in start() so the first request is fast (default true). */
  warmup?: boolean;
  /** Faces and labels are analysed on a copy no larger than this on its long side (default 1600 px). */
  maxAnalysisSide?: number;
  /** Upper bound for one OCR run before the tesseract worker is replaced (default 20 000 ms). */
  textTimeoutMs?: number;
}

interface Prepared {
  data: Buffer;
  width: number;
  height: number;
}

interface Started {
  runtime: VisionRuntime;
  text: TextModel;
  sharp: Sharp;
}

/**
 * The self-hosted engine: faces with face-api (tiny detector, 68-point landmarks, 128-d descriptors),
 * labels with nanodet (80 COCO classes; CenterNet's second opinion on animals) and the face and text detectors,
 * text with tesseract.js and Debian's English data.
 * Safe for concurrent calls: model work is serialised, OCR runs on its own worker thread beside it.
 */
export class LocalEngine implements VisionEngine {
  readonly name = 'local';
  private readonly options: Required<Omit<LocalEngineOptions, 'faceModelDir' | 'humanModelDir' | 'objectModelDir' | 'wasmDir'>> &
    Pick<LocalEngineOptions, 'faceModelDir' | 'humanModelDir' | 'objectModelDir' | 'wasmDir'>;
  private starting: Promise<Started> | undefined;
  private started: Started | undefined;

  constructor(options: LocalEngineOptions = {}) {
    this.options = {
      tessdataFile: options.tessdataFile ?? DEFAULT_TESSDATA_FILE,
      faceModelDir: options.faceModelDir,
      humanModelDir: options.humanModelDir,
      objectModelDir: options.objectModelDir,
      wasmDir: options.wasmDir,
      warmup: options.warmup ?? true,
      maxAnalysisSide: options.maxAnalysisSide ?? 1600,
      textTimeoutMs: options.textTimeoutMs ?? 20_000,
    };
  }

  async start(): Promise<void> {
    if (!this.starting) {
      const starting: Promise<Started> = this.load().then(
        (started) => {
          if (this.starting === starting) this.started = started;
          return started;
        },
        (error: unknown) => {
          if (this.starting === starting) this.starting = undefined;
          throw error instanceof EngineUnavailableError
            ? error
            : new EngineUnavailableError(`local engine failed to start: ${(error as Error).message}`, { cause: error });
        },
      );
      this.starting = starting;
    }
    await this.starting;
  }

  async stop(): Promise<void> {
    const starting = this.starting;
    this.starting = undefined;
    this.started = undefined;
    const started = await starting?.catch(() => undefined);
    if (!started) return;
    const { releaseRuntime } = await import('./runtime');
    await Promise.all([started.text.terminate(), releaseRuntime(started.runtime)]);
  }

  async detectFaces(image: EncodedImage): Promise<FacesDetectResult> {
    const { runtime } = this.ready();
    const prepared = await this.prepare(image);
    return runtime.run(() =>
      this.withTensor(runtime.tf, prepared, async (tensor) => {
        const faces = await runtime.faces.detect(tensor, this.verifier(runtime));
        return {
          faces: faces.map((face) => ({
            ...this.face(face, prepared),
            landmarks: fiveLandmarks(face.points, prepared.width, prepared.height),
            pose: poseOf68(face.points),
            quality: regionQuality(prepared, face.box),
          })),
        };
      }),
    );
  }

  async compareFaces(source: EncodedImage, target: EncodedImage, params: FacesCompareParams): Promise<FacesCompareResult> {
    const { runtime } = this.ready();
    const threshold = clamp(params.similarityThreshold, 0, 100);
    const [sourcePrepared, targetPrepared] = await Promise.all([this.prepare(source), this.prepare(target)]);
    return runtime.run(async () => {
      const probe = await this.withTensor(runtime.tf, sourcePrepared, async (tensor) => {
        const [largest] = await runtime.faces.detect(tensor, this.verifier(runtime), { largestOnly: true });
        return largest && { face: largest, descriptor: await runtime.faces.descriptor(tensor, largest) };
      });
      if (!probe) return { sourceFace: null, matches: [], unmatchedFaces: [] };

      const candidates = await this.withTensor(runtime.tf, targetPrepared, async (tensor) => {
        const faces = await runtime.faces.detect(tensor, this.verifier(runtime));
        const scored: { face: Face; similarity: number }[] = [];
        for (const face of faces) {
          const descriptor = await runtime.faces.descriptor(tensor, face);
          scored.push({
            face: this.face(face, targetPrepared),
            similarity: percent(similarity(euclidean(probe.descriptor, descriptor))),
          });
        }
        return scored;
      });
      const matches = candidates
        .filter((c) => c.similarity >= threshold)
        .sort((a, b) => b.similarity - a.similarity)
        .map(({ similarity: value, face }) => ({ similarity: value, face }));
      const unmatchedFaces = candidates.filter((c) => c.similarity < threshold).map((c) => c.face);
      return { sourceFace: this.face(probe.face, sourcePrepared), matches, unmatchedFaces };
    });
  }

  async detectLabels(image: EncodedImage, params: LabelsDetectParams): Promise<LabelsDetectResult> {
    const { runtime, text } = this.ready();
    const prepared = await this.prepare(image);
    const safeParams: LabelsDetectParams = {
      maxLabels: Math.max(1, Math.floor(params.maxLabels)),
      minConfidence: clamp(params.minConfidence, 0, 100),
    };
    // As Rekognition: the labels unless features names only other things.
    const features = params.features ?? ['GENERAL_LABELS'];
    const properties = features.includes('IMAGE_PROPERTIES') ? { imageProperties: imageProperties(prepared) } : {};
    if (!features.includes('GENERAL_LABELS')) return { labels: [], ...properties };
    // OCR runs on its own thread beside the object and face models. It only adds Text and Document: an OCR run
    // that fails or times out leaves them out rather than failing the labels (and its rejection is handled at
    // once, not after the models, when it would already have been reported as unhandled).
    const reading = text.detect({ rgb: prepared.data, width: prepared.width, height: prepared.height }).catch(() => ({ text: [] }));
    const seen = await runtime.run(() =>
      this.withTensor(runtime.tf, prepared, async (tensor) => {
        const nanodet = await runtime.human.objects(tensor, 'nanodet', DECODE_SCORE);
        const centernet = wantsSecondOpinion(nanodet) ? await runtime.human.objects(tensor, 'centernet', DECODE_SCORE) : undefined;
        const faces = await runtime.faces.detect(tensor, this.verifier(runtime), { landmarks: false });
        return { objects: objectsSeen(nanodet, centernet), faces };
      }),
    );
    const { labels } = toLabelsResult({ ...seen, text: (await reading).text }, prepared.width, prepared.height, safeParams);
    return { labels, ...properties };
  }

  async detectText(image: EncodedImage): Promise<TextDetectResult> {
    const { text } = this.ready();
    return text.detect(await decodeImage(image));
  }

  private async load(): Promise<Started> {
    const [{ loadSharp }, { TextModel, checkTraineddata }, { acquireRuntime, releaseRuntime }] = await Promise.all([
      import('./sharp'),
      import('./text'),
      import('./runtime'),
    ]);
    // The cheap check first: no point loading models when OCR data is missing.
    await checkTraineddata(this.options.tessdataFile);
    const sharp = await loadSharp();
    // tesseract starts on its own thread while the tfjs models load on this one.
    const [text, runtime] = await Promise.allSettled([
      TextModel.load(sharp, { tessdataFile: this.options.tessdataFile, timeoutMs: this.options.textTimeoutMs }),
      acquireRuntime(this.options),
    ]);
    if (text.status === 'rejected' || runtime.status === 'rejected') {
      if (text.status === 'fulfilled') await text.value.terminate();
      if (runtime.status === 'fulfilled') await releaseRuntime(runtime.value);
      throw text.status === 'rejected' ? text.reason : (runtime as PromiseRejectedResult).reason;
    }
    try {
      if (this.options.warmup) await text.value.warmup();
    } catch (error) {
      await text.value.terminate();
      await releaseRuntime(runtime.value);
      throw error;
    }
    return { runtime: runtime.value, text: text.value, sharp };
  }

  private ready(): Started {
    if (!this.started) throw new EngineUnavailableError('local engine is not started (call start() first)');
    return this.started;
  }

  private verifier(runtime: VisionRuntime): FaceVerifier {
    return (crop) => runtime.human.bestFace(crop);
  }

  private face(face: RawFace, image: Prepared): Face {
    return { boundingBox: toRatioBox(face.box, image.width, image.height), confidence: percent(face.confidence) };
  }

  /** Raw RGB for the models, downscaled while decoding when larger than maxAnalysisSide (ratios do not change). */
  private async prepare(image: EncodedImage): Promise<Prepared> {
    this.ready();
    const decoded = await decodeImage(image, { maxSide: this.options.maxAnalysisSide });
    return { data: decoded.rgb, width: decoded.width, height: decoded.height };
  }

  /** Runs `task` on a tensor of the image and always frees it. */
  private async withTensor<T>(tf: Tf, image: Prepared, task: (tensor: Tensor3D) => Promise<T>): Promise<T> {
    // Widened to int32 here, in one typed-array copy: handed 8-bit pixels, tfjs converts them value by value
    // (11 ms for a 640 x 480 photo, against 0.5 ms). An array of this realm, too: tfjs checks `instanceof`,
    // which a Buffer from another realm (jest's sandbox) fails.
    const pixels = new Int32Array(image.data.length);
    pixels.set(image.data);
    const tensor = tf.tensor3d(pixels, [image.height, image.width, 3], 'int32');
    try {
      return await task(tensor);
    } finally {
      tensor.dispose();
    }
  }
}

