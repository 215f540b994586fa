import type sharpFunction from 'sharp';
import { loadModule } from './modules';

export type Sharp = typeof sharpFunction;

/** sharp, loaded on demand (a CommonJS function export: the callable sits on `default` after interop). */
export async function loadSharp(): Promise<Sharp> {
  const loaded = await loadModule<Sharp | { default: Sharp }>('sharp');
  return typeof loaded === 'function' ? loaded : loaded.default;
}
