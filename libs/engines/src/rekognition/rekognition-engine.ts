import type {
  BoundingBox as AwsBox,
  ComparedFace,
  RekognitionClient,
} from '@aws-sdk/client-rekognition';
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
import { EngineUnavailableError, type VisionEngine } from '../engine';

export interface RekognitionEngineOptions {
  region: string;
  /** A Rekognition-compatible endpoint (the local stand-in in tests); AWS's own when absent. */
  endpoint?: string;
  /** Static credentials; the SDK's default chain (environment, profile, role) when absent. */
  credentials?: { accessKeyId: string; secretAccessKey: string };
  /** Attempts per call, throttling included (the SDK backs off with jitter between them). */
  maxAttempts?: number;
  /** Time allowed for one call, retries included; it should sit inside the request deadline. */
  callTimeoutMs?: number;
}

const FIVE_LANDMARKS = new Set(['eyeLeft', 'eyeRight', 'nose', 'mouthLeft', 'mouthRight']);
/** Errors that say the service or our access to it is the problem, not the image: 503 for the caller. */
const UNAVAILABLE = new Set([
  'ThrottlingException',
  'ProvisionedThroughputExceededException',
  'ServiceUnavailableException',
  'InternalServerError',
  'LimitExceededException',
  'AccessDeniedException',
  'UnrecognizedClientException',
  'InvalidSignatureException',
  'ExpiredTokenException',
  'MissingAuthenticationToken',
  'CredentialsProviderError',
  'TimeoutError',
  'AbortError',
]);

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
      maxAttempts: this.options.maxAttempts ?? 4,
      retryMode: 'standard',
    });
  }

  async stop(): Promise<void> {
    this.client?.destroy();
    this.client = undefined;
  }

  async detectFaces(image: EncodedImage): Promise<FacesDetectResult> {
    const { DetectFacesCommand } = this.ready();
    const bytes = await upright(image);
    const out = await this.call((c, o) => c.send(new DetectFacesCommand({ Image: { Bytes: bytes }, Attributes: ['DEFAULT'] }), o));
    return {
      faces: (out.FaceDetails ?? []).map((face) => ({
        boundingBox: ratioBox(face.BoundingBox),
        confidence: percent(face.Confidence),
        landmarks: (face.Landmarks ?? [])
          .filter((l) => l.Type && FIVE_LANDMARKS.has(l.Type))
          .map((l) => ({ type: String(l.Type), x: ratio(l.X), y: ratio(l.Y) })),
      })),
    };
  }

  async compareFaces(source: EncodedImage, target: EncodedImage, params: FacesCompareParams): Promise<FacesCompareResult> {
    const { CompareFacesCommand } = this.ready();
    try {
      const [sourceBytes, targetBytes] = await Promise.all([upright(source), upright(target)]);
      const out = await this.call((c, o) =>
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

  async detectLabels(image: EncodedImage, params: LabelsDetectParams): Promise<LabelsDetectResult> {
    const { DetectLabelsCommand } = this.ready();
    const bytes = await upright(image);
    const out = await this.call((c, o) =>
      c.send(new DetectLabelsCommand({ Image: { Bytes: bytes }, MaxLabels: params.maxLabels, MinConfidence: params.minConfidence }), o),
    );
    return {
      labels: (out.Labels ?? []).map((label) => ({
        name: String(label.Name ?? ''),
        confidence: percent(label.Confidence),
        instances: (label.Instances ?? []).map((i) => ({ boundingBox: ratioBox(i.BoundingBox), confidence: percent(i.Confidence) })),
      })),
    };
  }

  async detectText(image: EncodedImage): Promise<TextDetectResult> {
    const { DetectTextCommand } = this.ready();
    const bytes = await upright(image);
    const out = await this.call((c, o) => c.send(new DetectTextCommand({ Image: { Bytes: bytes } }), o));
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

  /** Sends one command within the call timeout and turns AWS errors into API.md's. */
  private async call<T>(send: (client: RekognitionClient, options: { abortSignal: AbortSignal }) => Promise<T>): Promise<T> {
    const client = this.client as RekognitionClient;
    try {
      return await send(client, { abortSignal: AbortSignal.timeout(this.options.callTimeoutMs ?? 25_000) });
    } catch (error) {
      throw toPublicError(error);
    }
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
      if (UNAVAILABLE.has(name)) return new EngineUnavailableError(`rekognition: ${name}`, { cause: error });
      return new EngineUnavailableError(`rekognition: unexpected ${name}`, { cause: error });
  }
}

async function upright(image: EncodedImage): Promise<Buffer> {
  if (image.orientation === 1) return image.bytes;
  return sharp(image.bytes).rotate().toFormat(image.format, image.format === 'jpeg' ? { quality: 95 } : {}).toBuffer();
}

function face(f: ComparedFace): { boundingBox: BoundingBox; confidence: number } {
  return { boundingBox: ratioBox(f.BoundingBox), confidence: percent(f.Confidence) };
}

const ratio = (value: number | undefined) => Math.min(1, Math.max(0, value ?? 0));
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
