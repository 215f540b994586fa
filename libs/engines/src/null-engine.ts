import type {
  FacesCompareParams,
  FacesCompareResult,
  FacesDetectResult,
  LabelsDetectParams,
  LabelsDetectResult,
  TextDetectResult,
} from '@nomosly/contracts';
import type { VisionEngine, EncodedImage } from './engine';

/**
 * An engine that does no work: every call answers at once with an empty, valid result. Used only by the
 * benchmark, to measure the platform (gateway, queue, worker) without model time. Never serve it to users.
 */
export class NullEngine implements VisionEngine {
  readonly name = 'null';

  async start(): Promise<void> {
    // Nothing to load.
  }

  async detectFaces(_image: EncodedImage): Promise<FacesDetectResult> {
    return { faces: [] };
  }

  async compareFaces(_source: EncodedImage, _target: EncodedImage, _params: FacesCompareParams): Promise<FacesCompareResult> {
    return { sourceFace: null, matches: [], unmatchedFaces: [] };
  }

  async detectLabels(_image: EncodedImage, _params: LabelsDetectParams): Promise<LabelsDetectResult> {
    return { labels: [] };
  }

  async detectText(_image: EncodedImage): Promise<TextDetectResult> {
    return { text: [] };
  }

  async stop(): Promise<void> {
    // Nothing to free.
  }
}
