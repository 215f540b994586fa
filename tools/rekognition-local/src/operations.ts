import type {
  CompareFacesCommandOutput,
  DetectFacesCommandOutput,
  DetectLabelsCommandOutput,
  DetectTextCommandOutput,
  LandmarkType,
  TextTypes,
} from '@aws-sdk/client-rekognition';
import { ErrorCode, PublicError, type BoundingBox, type ImageProperties, type Landmark } from '@nomosly/contracts';
import { LABEL_FEATURES, type LabelFeature } from '@nomosly/contracts';
import { LABEL_ALIASES, type VisionEngine } from '@nomosly/engines';
import { type EncodedImage, inspectImage } from '@nomosly/images';

/** An error in Rekognition's own terms: the SDK turns `__type` into its exception class of that name. */
export class AwsError extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

/** The HTTP status AWS answers an error with: its own failures are 5xx, everything else (throttling too) 400. */
export function statusOfAwsError(type: string): number {
  if (type === 'InternalServerError') return 500;
  if (type === 'ServiceUnavailableException') return 503;
  if (type === 'AccessDeniedException' || type === 'InvalidSignatureException') return 403;
  return 400;
}

type Json = Record<string, unknown>;

/** The SDK's own output types (less the metadata the SDK adds): the compiler holds each answer to them. */
type Output<T> = Omit<T, '$metadata'>;
interface Operations {
  DetectFaces(input: Json): Promise<Output<DetectFacesCommandOutput>>;
  CompareFaces(input: Json): Promise<Output<CompareFacesCommandOutput>>;
  DetectLabels(input: Json): Promise<Output<DetectLabelsCommandOutput>>;
  DetectText(input: Json): Promise<Output<DetectTextCommandOutput>>;
}

/** Rekognition's input limit for image bytes: 5 MB. */
const MAX_IMAGE_BYTES = 5 * 1024 * 1024;

const box = (b: BoundingBox) => ({ Width: b.width, Height: b.height, Left: b.left, Top: b.top });
const landmarks = (points: readonly Landmark[]) => points.map((p) => ({ Type: p.type as LandmarkType, X: p.x, Y: p.y }));
const polygon = (b: BoundingBox) => [
  { X: b.left, Y: b.top },
  { X: b.left + b.width, Y: b.top },
  { X: b.left + b.width, Y: b.top + b.height },
  { X: b.left, Y: b.top + b.height },
];

/** The four operations, answered from a local engine with AWS's field names and value ranges. */
export function rekognitionOperations(engine: VisionEngine): Operations {
  return {
    async DetectFaces(input) {
      const { faces } = await engine.detectFaces(await imageOf(input.Image, 'Image'));
      return {
        // What DEFAULT attributes carry (AWS's default): box, confidence, the five landmarks, pose and quality.
        FaceDetails: faces.map((face) => ({
          BoundingBox: box(face.boundingBox),
          Landmarks: landmarks(face.landmarks),
          Pose: { Roll: face.pose.roll, Yaw: face.pose.yaw, Pitch: face.pose.pitch },
          Quality: { Brightness: face.quality.brightness, Sharpness: face.quality.sharpness },
          Confidence: face.confidence,
        })),
      };
    },
    async CompareFaces(input) {
      const threshold = numberIn(input.SimilarityThreshold, 'SimilarityThreshold', 0, 100, 80);
      const [source, target] = [await imageOf(input.SourceImage, 'SourceImage'), await imageOf(input.TargetImage, 'TargetImage')];
      const result = await engine.compareFaces(source, target, { similarityThreshold: threshold });
      // Like AWS: a source image without a face is a bad parameter, not an empty answer.
      if (!result.sourceFace) throw new AwsError('InvalidParameterException', 'Request has invalid parameters');
      return {
        SourceImageFace: { BoundingBox: box(result.sourceFace.boundingBox), Confidence: result.sourceFace.confidence },
        FaceMatches: result.matches.map((m) => ({
          Similarity: m.similarity,
          Face: { BoundingBox: box(m.face.boundingBox), Confidence: m.face.confidence },
        })),
        UnmatchedFaces: result.unmatchedFaces.map((f) => ({ BoundingBox: box(f.boundingBox), Confidence: f.confidence })),
      };
    },
    async DetectLabels(input) {
      const maxLabels = numberIn(input.MaxLabels, 'MaxLabels', 0, 1000, 1000);
      const minConfidence = numberIn(input.MinConfidence, 'MinConfidence', 0, 100, 55);
      const features = featuresOf(input.Features);
      const { labels, imageProperties } = await engine.detectLabels(await imageOf(input.Image, 'Image'), {
        maxLabels: Math.max(1, Math.floor(maxLabels)),
        minConfidence,
        features,
      });
      return {
        Labels: labels.map((label) => ({
          Name: label.name,
          Confidence: label.confidence,
          Instances: label.instances.map((i) => ({ BoundingBox: box(i.boundingBox), Confidence: i.confidence })),
          Parents: label.parents.map((p) => ({ Name: p.name })),
          Aliases: (LABEL_ALIASES[label.name] ?? []).map((alias) => ({ Name: alias })),
          Categories: label.categories.map((c) => ({ Name: c.name })),
        })),
        ...(imageProperties ? { ImageProperties: awsImageProperties(imageProperties) } : {}),
        LabelModelVersion: '3.0',
      };
    },
    async DetectText(input) {
      const { text } = await engine.detectText(await imageOf(input.Image, 'Image'));
      let lineId = -1;
      return {
        TextDetections: text.map((t, id) => {
          if (t.type === 'LINE') lineId = id;
          return {
            DetectedText: t.text,
            Type: t.type as TextTypes,
            Id: id,
            ...(t.type === 'WORD' && lineId >= 0 ? { ParentId: lineId } : {}),
            Confidence: t.confidence,
            Geometry: { BoundingBox: box(t.boundingBox), Polygon: polygon(t.boundingBox) },
          };
        }),
        TextModelVersion: '3.0',
      };
    },
  };
}

/** DetectLabels' `Features`: absent, or a list of AWS's feature names. */
function featuresOf(value: unknown): LabelFeature[] | undefined {
  if (value === undefined || value === null) return undefined;
  const known: readonly string[] = LABEL_FEATURES;
  if (!Array.isArray(value) || value.length === 0 || value.some((feature) => !known.includes(feature as string))) {
    throw new AwsError('ValidationException', `1 validation error detected: Value at 'features' failed to satisfy constraint: Member must satisfy enum value set: [${LABEL_FEATURES.join(', ')}]`);
  }
  return value as LabelFeature[];
}

/** AWS's simplified colour names: the basic colour each of the engine's CSS colour names belongs to. */
const SIMPLIFIED_COLORS: Readonly<Record<string, string>> = {
  black: 'black', dimgray: 'grey', gray: 'grey', silver: 'grey', white: 'white',
  red: 'red', darkred: 'red', brown: 'brown', salmon: 'pink', pink: 'pink',
  orange: 'orange', chocolate: 'brown', tan: 'brown', beige: 'white', gold: 'yellow', yellow: 'yellow',
  olive: 'green', green: 'green', darkgreen: 'green', lime: 'green', teal: 'green', cyan: 'blue',
  skyblue: 'blue', blue: 'blue', navy: 'blue', steelblue: 'blue', purple: 'purple', violet: 'purple', magenta: 'purple',
};

function awsImageProperties(properties: ImageProperties) {
  const channel = (hex: string, at: number) => Number.parseInt(hex.slice(at, at + 2), 16);
  return {
    Quality: { Brightness: properties.quality.brightness, Sharpness: properties.quality.sharpness, Contrast: properties.quality.contrast },
    DominantColors: properties.dominantColors.map((color) => ({
      Red: channel(color.hex, 1),
      Green: channel(color.hex, 3),
      Blue: channel(color.hex, 5),
      HexCode: color.hex,
      CSSColor: color.name,
      SimplifiedColor: SIMPLIFIED_COLORS[color.name] ?? color.name,
      PixelPercent: color.pixelPercent,
    })),
  };
}

/** Reads `{ Bytes: base64 }` and applies Rekognition's input rules: 5 MB, JPEG or PNG, at least 80 x 80. */
async function imageOf(value: unknown, name: string): Promise<EncodedImage> {
  const image = value as { Bytes?: unknown; S3Object?: unknown } | undefined;
  if (!image || typeof image !== 'object') throw new AwsError('ValidationException', `1 validation error detected: Value null at '${lower(name)}' failed to satisfy constraint: Member must not be null`);
  if (image.S3Object !== undefined) throw new AwsError('InvalidS3ObjectException', 'S3 objects are not available in this stand-in.');
  if (typeof image.Bytes !== 'string' || image.Bytes === '') throw new AwsError('InvalidParameterException', 'Request has invalid parameters');
  const bytes = Buffer.from(image.Bytes, 'base64');
  if (bytes.length > MAX_IMAGE_BYTES) throw new AwsError('ImageTooLargeException', 'Image size is too large.');
  try {
    return await inspectImage(bytes, name);
  } catch (error) {
    if (!(error instanceof PublicError)) throw error;
    if (error.code === ErrorCode.ImageTooLarge) throw new AwsError('ImageTooLargeException', 'Image size is too large.');
    if (error.code === ErrorCode.InvalidImage && /at least/.test(error.message)) {
      throw new AwsError('InvalidParameterException', 'Request has invalid parameters');
    }
    throw new AwsError('InvalidImageFormatException', 'Request has invalid image format');
  }
}

function numberIn(value: unknown, name: string, min: number, max: number, fallback: number): number {
  if (value === undefined || value === null) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
    throw new AwsError('ValidationException', `1 validation error detected: Value at '${lower(name)}' failed to satisfy constraint: Member must have value between ${min} and ${max}`);
  }
  return value;
}

function lower(name: string): string {
  return name.charAt(0).toLowerCase() + name.slice(1);
}
