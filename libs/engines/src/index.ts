import type { VisionEngine } from './engine';
import { LocalEngine, type LocalEngineOptions } from './local/local-engine';
import { NullEngine, type NullEngineOptions } from './null-engine';

export * from './engine';
export { NullEngine, type NullEngineOptions } from './null-engine';
export { LocalEngine, type LocalEngineOptions } from './local/local-engine';

export type EngineName = 'local' | 'null';
export const ENGINE_NAMES: readonly EngineName[] = Object.freeze(['local', 'null'] as const);

/**
 * Builds an engine by name. Cheap: nothing heavy is loaded until `start()` (the local engine imports
 * tfjs, face-api, human and tesseract.js lazily), so importing this library is safe anywhere.
 */
export function createEngine(name: EngineName, options: LocalEngineOptions & NullEngineOptions = {}): VisionEngine {
  switch (name) {
    case 'local':
      return new LocalEngine(localOptions(options));
    case 'null':
      return new NullEngine({ delayMs: options.delayMs });
    default: {
      const unknown: never = name;
      throw new Error(`unknown engine ${String(unknown)}`);
    }
  }
}

function localOptions({ delayMs: _delayMs, ...options }: LocalEngineOptions & NullEngineOptions): LocalEngineOptions {
  return options;
}
