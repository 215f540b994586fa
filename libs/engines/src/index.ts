import type { VisionEngine } from './engine';
import { LocalEngine, type LocalEngineOptions } from './local/local-engine';
import { NullEngine, type NullEngineOptions } from './null-engine';
import { RekognitionEngine, type RekognitionEngineOptions } from './rekognition/rekognition-engine';

export * from './engine';
export { NullEngine, type NullEngineOptions } from './null-engine';
export { LocalEngine, type LocalEngineOptions } from './local/local-engine';
export { LABEL_ALIASES } from './local/taxonomy';
export { OBJECT_MODEL_FOLDER } from './local/human';
export { DEADLINE_MARGIN_MS, RekognitionEngine, type RekognitionEngineOptions } from './rekognition/rekognition-engine';

export type EngineName = 'local' | 'null' | 'rekognition';
export const ENGINE_NAMES: readonly EngineName[] = Object.freeze(['local', 'null', 'rekognition'] as const);

/** Each engine's own settings; only those of the engine asked for are used. */
export interface EngineOptions extends LocalEngineOptions, NullEngineOptions {
  rekognition?: RekognitionEngineOptions;
}

/**
 * Builds an engine by name. Cheap: nothing heavy is loaded until `start()` (the local engine imports
 * tfjs, face-api, human and tesseract.js lazily, the rekognition engine the AWS SDK), so importing this
 * library is safe anywhere.
 */
export function createEngine(name: EngineName, options: EngineOptions = {}): VisionEngine {
  const { delayMs, rekognition, ...local } = options;
  switch (name) {
    case 'local':
      return new LocalEngine(local);
    case 'null':
      return new NullEngine({ delayMs });
    case 'rekognition':
      if (!rekognition) throw new Error('the rekognition engine needs its options (region, and endpoint or AWS credentials)');
      return new RekognitionEngine(rekognition);
    default: {
      const unknown: never = name;
      throw new Error(`unknown engine ${String(unknown)}`);
    }
  }
}
