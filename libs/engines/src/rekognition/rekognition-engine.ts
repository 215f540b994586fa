import type {
  BoundingBox as AwsBox,
  ComparedFace,
  DominantColor,
  RekognitionClient,
} from '@aws-sdk/client-rekognition';
import { isServerError, isThrottlingError, isTransientError } from '@smithy/core/retry';
import sharp from 'sharp';
import {
  ErrorCode,
  PublicError,
  type BoundingBox,
  type FacesCompareParams,
  type FacesCompareResult,
  type FacesDetectResult,
  type LabelsDetectParams,
  type LabelsDetectResult,
  type TextDetectResult,
} from '@nomosly/contracts';
import type { EncodedImage } from '@nomosly/images';
import { EngineUnavailableError, type EngineCall, type VisionEngine } from '../engine';

export interface RekognitionEngineOptions {
  region: string;
  /** A Rekognition-compatible endpoint (the local stand-in in tests); AWS's own when absent. */
  endpoint?: string;
  /** Static credentials; the SDK's default chain (environment, profile, role) when absent. */
  credentials?: { accessKeyId: string; secretAccessKey: string };
  /** Attempts per call when AWS throttles or fails on its side; fewer when the deadline comes first. */
  maxAttempts?: number;
  /** Time allowed for one call, retries included, when the caller sets no deadline. */
  callTimeoutMs?: number;
  /** First backoff between attempts; each later one doubles, up to `maxBackoffMs`, half of it random. */
  baseBackoffMs?: number;
  maxBackoffMs?: number;
}

/**
 * The engine gives up this long before the caller's deadline, so that its 503 (with Retry-After) reaches the
 * client before the gateway's own 504.
 */
export const DEADLINE_MARGIN_MS = 250;

const FIVE_LANDMARKS = new Set(['eyeLeft', 'eyeRight', 'nose', 'mouthLeft', 'mouthRight']);
/**
 * AWS Rekognition through the real SDK (`@aws-sdk/client-rekognition`), mapped to API.md's shapes and errors.
 * Images are sent upright: EXIF orientation is applied here, so boxes mean the same as the local engine's.
 */
export class RekognitionEngine implements VisionEngine {
  readonly name = 'rekognition';
  private client?: RekognitionClient;
  private sdk?: typeof import('@aws-sdk/client-rekognition');

  constructor(private readonly options: RekognitionEngineOptions) {}

  async start(): Promise<void> {
    this.sdk = await import('@aws-sdk/client-rekognition');
    this.client = new this.sdk.RekognitionClient({
      region: this.options.region,
      endpoint: this.options.endpoint,
      credentials: this.options.credentials,
      // Retries are ours (see send): the SDK's would not know the request's deadline.
      maxAttempts: 1,
    });
  }

  async stop(): Promise<void> {
    this.client?.destroy();
    this.client = undefined;
  }

  async detectFaces(image: EncodedImage, call: EngineCall = {}): Promise<FacesDetectResult> {
    const { DetectFacesCommand } = this.ready();
    const bytes = await upright(image);
    const out = await this.send(call, (c, o) => c.send(new DetectFacesCommand({ Image: { Bytes: bytes }, Attributes: ['DEFAULT'] }), o));
    return {
      faces: (out.FaceDetails ?? []).map((face) => ({
        boundingBox: ratioBox(face.BoundingBox),
        confidence: percent(face.Confidence),
        landmarks: (face.Landmarks ?? [])
          .filter((l) => l.Type && FIVE_LANDMARKS.has(l.Type))
          .map((l) => ({ type: String(l.Type), x: ratio(l.X), y: ratio(l.Y) })),
        pose: { roll: degrees(face.Pose?.Roll), yaw: degrees(face.Pose?.Yaw), pitch: degrees(face.Pose?.Pitch) },
        quality: { brightness: percent(face.Quality?.Brightness), sharpness: percent(face.Quality?.Sharpness) },
      })),
    };
  }

  async compareFaces(source: EncodedImage, target: EncodedImage, params: FacesCompareParams, call: EngineCall = {}): Promise<FacesCompareResult> {
    const { CompareFacesCommand } = this.ready();
    try {
      const [sourceBytes, targetBytes] = await Promise.all([upright(source), upright(target)]);
      const out = await this.send(call, (c, o) =>
        c.send(
          new CompareFacesCommand({
            SourceImage: { Bytes: sourceBytes },
            TargetImage: { Bytes: targetBytes },
            SimilarityThreshold: params.similarityThreshold,
          }),
          o,
        ),
      );
      return {
        sourceFace: out.SourceImageFace ? face(out.SourceImageFace) : null,
        matches: (out.FaceMatches ?? [])
          .map((m) => ({ similarity: percent(m.Similarity), face: face(m.Face ?? {}) }))
          .sort((a, b) => b.similarity - a.similarity),
        unmatchedFaces: (out.UnmatchedFaces ?? []).map(face),
      };
    } catch (error) {
      // Rekognition's answer to a source image without a face; API.md's is an empty comparison.
      if (error instanceof PublicError && error.code === ErrorCode.InvalidRequest) {
        return { sourceFace: null, matches: [], unmatchedFaces: [] };
      }
      throw error;
    }
  }

  async detectLabels(image: EncodedImage, params: LabelsDetectParams, call: EngineCall = {}): Promise<LabelsDetectResult> {
    const { DetectLabelsCommand } = this.ready();
    const bytes = await upright(image);
    const out = await this.send(call, (c, o) =>
      c.send(
        new DetectLabelsCommand({
          Image: { Bytes: bytes },
          MaxLabels: params.maxLabels,
          MinConfidence: params.minConfidence,
          ...(params.features ? { Features: [...params.features] } : {}),
        }),
        o,
      ),
    );
    const properties = out.ImageProperties;
    return {
      labels: (out.Labels ?? []).map((label) => ({
        name: String(label.Name ?? ''),
        confidence: percent(label.Confidence),
        instances: (label.Instances ?? []).map((i) => ({ boundingBox: ratioBox(i.BoundingBox), confidence: percent(i.Confidence) })),
        parents: (label.Parents ?? []).map((p) => ({ name: String(p.Name ?? '') })),
        categories: (label.Categories ?? []).map((c) => ({ name: String(c.Name ?? '') })),
      })),
      ...(properties && params.features?.includes('IMAGE_PROPERTIES')
        ? {
            imageProperties: {
              dominantColors: (properties.DominantColors ?? []).map((color) => ({
                hex: hexCode(color),
                // AWS names CSS colours with underscores (dark_slate_grey); CSS itself without (darkslategrey).
                name: String(color.CSSColor ?? color.SimplifiedColor ?? '').replaceAll('_', '').toLowerCase(),
                pixelPercent: percent(color.PixelPercent),
              })),
              quality: {
                brightness: percent(properties.Quality?.Brightness),
                sharpness: percent(properties.Quality?.Sharpness),
                contrast: percent(properties.Quality?.Contrast),
              },
            },
          }
        : {}),
    };
  }

  async detectText(image: EncodedImage, call: EngineCall = {}): Promise<TextDetectResult> {
    const { DetectTextCommand } = this.ready();
    const bytes = await upright(image);
    const out = await this.send(call, (c, o) => c.send(new DetectTextCommand({ Image: { Bytes: bytes } }), o));
    return {
      text: (out.TextDetections ?? [])
        .filter((t) => t.Type === 'LINE' || t.Type === 'WORD')
        .map((t) => ({
          type: t.Type as 'LINE' | 'WORD',
          text: String(t.DetectedText ?? ''),
          confidence: percent(t.Confidence),
          boundingBox: ratioBox(t.Geometry?.BoundingBox),
        })),
    };
  }

  private ready(): typeof import('@aws-sdk/client-rekognition') {
    if (!this.sdk || !this.client) throw new EngineUnavailableError('rekognition engine is not started (call start() first)');
    return this.sdk;
  }

  /**
   * Sends one command, retrying what AWS asks us to retry (throttling, its own failures) with jittered
   * exponential backoff, all within the caller's deadline: a backoff that would end past it is not started,
   * and the attempt in flight is aborted at it. Then AWS's error becomes API.md's.
   */
  private async send<T>(call: EngineCall, send: (client: RekognitionClient, options: { abortSignal: AbortSignal }) => Promise<T>): Promise<T> {
    const client = this.client as RekognitionClient;
    const giveUpAt = (call.deadline ?? Date.now() + (this.options.callTimeoutMs ?? 25_000)) - DEADLINE_MARGIN_MS;
    const maxAttempts = this.options.maxAttempts ?? 6;
    for (let attempt = 1; ; attempt++) {
      const remaining = giveUpAt - Date.now();
      if (remaining <= 0) throw new EngineUnavailableError('rekognition: no time left before the request deadline');
      try {
        return await send(client, { abortSignal: AbortSignal.timeout(remaining) });
      } catch (error) {
        const retryable = isRetryable(error);
        const delay = this.backoff(attempt);
        if (!retryable || attempt >= maxAttempts || Date.now() + delay >= giveUpAt) throw toPublicError(error);
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
    }
  }

  /** Exponential backoff with jitter: half of the step fixed, half random, so replicas spread out. */
  private backoff(attempt: number): number {
    const step = Math.min(this.options.maxBackoffMs ?? 2_000, (this.options.baseBackoffMs ?? 100) * 2 ** (attempt - 1));
    return step / 2 + Math.random() * (step / 2);
  }
}

/** AWS's error names to API.md's codes; the AWS detail stays in the operator's log, never in the answer. */
export function toPublicError(error: unknown): Error {
  const name = (error as { name?: string })?.name ?? 'Error';
  switch (name) {
    case 'InvalidImageFormatException':
      return new PublicError(ErrorCode.InvalidImage, 'The image is not a decodable JPEG or PNG image.');
    case 'ImageTooLargeException':
      return new PublicError(ErrorCode.ImageTooLarge, 'The image is larger than the engine accepts.');
    case 'InvalidParameterException':
      return new PublicError(ErrorCode.InvalidRequest, 'The engine refused the request parameters.');
    default:
      // Throttling past the deadline, AWS failures, access and credential errors, aborts: the operator's log
      // names the AWS error; the client gets 503 with Retry-After.
      return new EngineUnavailableError(`rekognition: ${name}`, { cause: error });
  }
}

/**
 * What the SDK's own standard retry mode would try again (its classifiers): throttling, AWS's own failures
 * (5xx), and transient network errors (a reset connection, a timed-out socket). Our deadline abort is not.
 */
function isRetryable(error: unknown): boolean {
  if ((error as { name?: string })?.name === 'AbortError') return false;
  const sdkError = error as Parameters<typeof isThrottlingError>[0];
  return isThrottlingError(sdkError) || isTransientError(sdkError) || isServerError(sdkError);
}

async function upright(image: EncodedImage): Promise<Buffer> {
  if (image.orientation === 1) return image.bytes;
  return sharp(image.bytes).rotate().toFormat(image.format, image.format === 'jpeg' ? { quality: 95 } : {}).toBuffer();
}

function face(f: ComparedFace): { boundingBox: BoundingBox; confidence: number } {
  return { boundingBox: ratioBox(f.BoundingBox), confidence: percent(f.Confidence) };
}

const ratio = (value: number | undefined) => Math.min(1, Math.max(0, value ?? 0));
const degrees = (value: number | undefined) => Math.min(180, Math.max(-180, value ?? 0));

/** API.md's #RRGGBB: from AWS's HexCode when it is one, else from the colour's channels. */
function hexCode(color: DominantColor): string {
  if (color.HexCode && /^#[0-9a-f]{6}$/i.test(color.HexCode)) return color.HexCode.toUpperCase();
  const channel = (value: number | undefined) => Math.round(Math.min(255, Math.max(0, value ?? 0))).toString(16).padStart(2, '0');
  return `#${channel(color.Red)}${channel(color.Green)}${channel(color.Blue)}`.toUpperCase();
}
const percent = (value: number | undefined) => Math.min(100, Math.max(0, value ?? 0));

/** AWS boxes may reach past the image edge (negative Left, say); API.md's stay within 0..1. */
function ratioBox(b: AwsBox | undefined): BoundingBox {
  const left = ratio(b?.Left);
  const top = ratio(b?.Top);
  return {
    left,
    top,
    width: Math.min(1 - left, Math.max(0, (b?.Width ?? 0) + Math.min(0, b?.Left ?? 0))),
    height: Math.min(1 - top, Math.max(0, (b?.Height ?? 0) + Math.min(0, b?.Top ?? 0))),
  };
}
