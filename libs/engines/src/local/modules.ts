import { existsSync } from 'node:fs';
import path from 'node:path';
import { EngineUnavailableError } from '../engine';

/** The exact versions the local engine was measured with (see package.json). */
export const PACKAGE_VERSIONS = Object.freeze({
  '@tensorflow/tfjs': '4.22.0',
  '@tensorflow/tfjs-backend-wasm': '4.22.0',
  '@vladmandic/face-api': '1.7.15',
  '@vladmandic/human': '3.3.6',
  'tesseract.js': '7.0.0',
  sharp: '0.35.5',
} as const);
export type EnginePackage = keyof typeof PACKAGE_VERSIONS;

export const installHint = (pkg: EnginePackage): string => `install the npm package ${pkg}@${PACKAGE_VERSIONS[pkg]}`;

/** `require.resolve` that fails with an EngineUnavailableError naming the package to install. */
export function resolveModule(pkg: EnginePackage, specifier: string = pkg): string {
  try {
    return require.resolve(specifier);
  } catch (cause) {
    throw new EngineUnavailableError(`npm package ${pkg} is not installed (cannot resolve ${specifier}): ${installHint(pkg)}`, {
      cause,
    });
  }
}

/**
 * Loads a heavy module on demand, so that importing `@nomosly/engines` stays cheap. Callers give the
 * shape they use as `T`; these libraries ship no usable CommonJS typings for the entry points we need.
 */
export async function loadModule<T>(pkg: EnginePackage, specifier: string = pkg): Promise<T> {
  const resolved = resolveModule(pkg, specifier);
  try {
    return (await import(resolved)) as T;
  } catch (cause) {
    throw new EngineUnavailableError(
      `npm package ${pkg} failed to load from ${resolved}: ${(cause as Error).message}; ${installHint(pkg)}`,
      { cause },
    );
  }
}

/** Fails with a message naming every missing file and what to install when any of `files` is absent. */
export function requireFiles(what: string, dir: string, files: readonly string[], hint: string): void {
  const missing = files.filter((file) => !existsSync(path.join(dir, file)));
  if (missing.length > 0) {
    throw new EngineUnavailableError(`${what} not found in ${dir} (missing ${missing.join(', ')}): ${hint}`);
  }
}
