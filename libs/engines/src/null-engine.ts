import type {
  FacesCompareParams,
  FacesCompareResult,
  FacesDetectResult,
  LabelsDetectParams,
  LabelsDetectResult,
  TextDetectResult,
} from '@nomosly/contracts';
import type { VisionEngine, EncodedImage } from './engine';

export interface NullEngineOptions {
  /** Milliseconds each call takes before answering: simulates model time in benchmarks and deadline tests. */
  delayMs?: number;
}

/**
 * An engine that does no work: every call answers with an empty, valid result, at once or after a set
 * delay. Used only by benchmarks and tests, to measure and exercise the platform (gateway, queue, worker)
 * without model time. Never serve it to users.
 */
export class NullEngine implements VisionEngine {
  readonly name = 'null';

  constructor(private readonly options: NullEngineOptions = {}) {}

  private async pause(): Promise<void> {
    if (this.options.delayMs) await new Promise((resolve) => setTimeout(resolve, this.options.delayMs));
  }

  async start(): Promise<void> {
    // Nothing to load.
  }

  async detectFaces(_image: EncodedImage): Promise<FacesDetectResult> {
    await this.pause();
    return { faces: [] };
  }

  async compareFaces(_source: EncodedImage, _target: EncodedImage, _params: FacesCompareParams): Promise<FacesCompareResult> {
    await this.pause();
    return { sourceFace: null, matches: [], unmatchedFaces: [] };
  }

  async detectLabels(_image: EncodedImage, _params: LabelsDetectParams): Promise<LabelsDetectResult> {
    await this.pause();
    return { labels: [] };
  }

  async detectText(_image: EncodedImage): Promise<TextDetectResult> {
    await this.pause();
    return { text: [] };
  }

  async stop(): Promise<void> {
    // Nothing to free.
  }
}
