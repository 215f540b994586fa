import type {
  FacesCompareParams,
  FacesCompareResult,
  FacesDetectResult,
  LabelsDetectParams,
  LabelsDetectResult,
  TextDetectResult,
} from '@nomosly/contracts';

import type { EncodedImage } from '@nomosly/images';

export type { EncodedImage };

/** One interface for every engine; the worker never knows which one it runs. */
export interface VisionEngine {
  readonly name: string;
  /** Loads models and warms them up; rejects with EngineUnavailableError naming what to install. */
  start(): Promise<void>;
  detectFaces(image: EncodedImage): Promise<FacesDetectResult>;
  compareFaces(source: EncodedImage, target: EncodedImage, params: FacesCompareParams): Promise<FacesCompareResult>;
  detectLabels(image: EncodedImage, params: LabelsDetectParams): Promise<LabelsDetectResult>;
  detectText(image: EncodedImage): Promise<TextDetectResult>;
  stop(): Promise<void>;
}

/** The engine cannot serve (a model that would not load, a remote service down): 503 to the client. */
export class EngineUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'EngineUnavailableError';
  }
}
