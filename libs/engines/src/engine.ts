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

/** What an engine call knows of the request it serves. */
export interface EngineCall {
  /**
   * Epoch milliseconds after which nobody waits for the answer. An engine that waits on something (a remote
   * service, a retry's backoff) gives up before it, so the caller still gets an answer rather than a timeout.
   */
  deadline?: number;
}

/** One interface for every engine; the worker never knows which one it runs. */
export interface VisionEngine {
  readonly name: string;
  /** Loads models and warms them up; rejects with EngineUnavailableError naming what to install. */
  start(): Promise<void>;
  detectFaces(image: EncodedImage, call?: EngineCall): Promise<FacesDetectResult>;
  compareFaces(source: EncodedImage, target: EncodedImage, params: FacesCompareParams, call?: EngineCall): Promise<FacesCompareResult>;
  detectLabels(image: EncodedImage, params: LabelsDetectParams, call?: EngineCall): Promise<LabelsDetectResult>;
  detectText(image: EncodedImage, call?: EngineCall): Promise<TextDetectResult>;
  stop(): Promise<void>;
}

/** The engine cannot serve (a model that would not load, a remote service down): 503 to the client. */
export class EngineUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'EngineUnavailableError';
  }
}
