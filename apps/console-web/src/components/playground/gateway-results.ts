/**
 * The public REST API's answers as the playground reads them. The contract is ../shared/API.md ("Operations",
 * "Errors"); the gateway's OpenAPI document (GET /openapi.json) describes the same. The SPA cannot import
 * @nomosly/contracts (a node library), so the shapes it draws are restated here: keep them in step with API.md.
 */

/** Ratios of the image's width and height, each 0..1. */
export interface BoundingBox {
  left: number;
  top: number;
  width: number;
  height: number;
}

export interface Landmark {
  type: string;
  /** Ratios of the image's width and height. */
  x: number;
  y: number;
}

export interface DetectedFace {
  boundingBox: BoundingBox;
  /** Percent, 0..100. */
  confidence: number;
  landmarks: Landmark[];
  pose: { roll: number; yaw: number; pitch: number };
  quality: { brightness: number; sharpness: number };
}

export interface ComparedFace {
  boundingBox: BoundingBox;
  confidence: number;
}

export interface Label {
  name: string;
  confidence: number;
  instances: Array<{ boundingBox: BoundingBox; confidence: number }>;
  parents: Array<{ name: string }>;
  categories: Array<{ name: string }>;
}

export interface TextDetection {
  type: 'LINE' | 'WORD';
  text: string;
  confidence: number;
  boundingBox: BoundingBox;
}

interface ResultBase {
  requestId: string;
  operation: string;
  units: number;
}

export interface FacesDetectResult extends ResultBase {
  faces: DetectedFace[];
}

export interface FacesCompareResult extends ResultBase {
  sourceFace: ComparedFace | null;
  matches: Array<{ similarity: number; face: ComparedFace }>;
  unmatchedFaces: ComparedFace[];
}

export interface LabelsDetectResult extends ResultBase {
  labels: Label[];
}

export interface TextDetectResult extends ResultBase {
  text: TextDetection[];
}

/** API.md's error body, for every refused call. */
export interface GatewayErrorBody {
  error: { code: string; message: string; requestId: string };
}

export function isGatewayErrorBody(body: unknown): body is GatewayErrorBody {
  const error = (body as { error?: { code?: unknown; message?: unknown } } | null)?.error;
  return typeof error?.code === 'string' && typeof error.message === 'string';
}
