import path from 'node:path';
import type * as TfModule from '@tensorflow/tfjs';
import { EngineUnavailableError } from '../engine';
import { installHint, loadModule, requireFiles, resolveModule } from './modules';

export type Tf = typeof TfModule;
export type Tensor3D = TfModule.Tensor3D;

interface WasmBackendModule {
  setWasmPaths(prefixOrFileMap: string, usePlatformFetch?: boolean): void;
}

/** The wasm binaries tfjs-backend-wasm may pick (SIMD is used when available, threads are not). */
const WASM_FILES = ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm'] as const;

/** The directory holding the backend's .wasm files: the package's own `dist/`. */
export function defaultWasmDir(): string {
  return path.dirname(resolveModule('@tensorflow/tfjs-backend-wasm'));
}

let ready: Promise<Tf> | undefined;
let readyDir: string | undefined;

/**
 * Loads tfjs with the wasm backend, once per process: the backend is global to tfjs, and a second
 * `setWasmPaths` after initialisation is an error. Never touches the network: the .wasm files come from
 * the local package (the backend's default is a CDN).
 */
export function loadTfWasm(wasmDir: string = defaultWasmDir()): Promise<Tf> {
  if (ready && readyDir !== wasmDir) {
    return Promise.reject(new Error(`tfjs wasm backend already initialised from ${readyDir}, not ${wasmDir}`));
  }
  if (!ready) {
    readyDir = wasmDir;
    ready = initialise(wasmDir).catch((error: unknown) => {
      ready = undefined;
      readyDir = undefined;
      throw error;
    });
  }
  return ready;
}

async function initialise(wasmDir: string): Promise<Tf> {
  requireFiles('tfjs wasm binaries', wasmDir, WASM_FILES, installHint('@tensorflow/tfjs-backend-wasm'));
  const tf = await loadModule<Tf>('@tensorflow/tfjs');
  const wasm = await loadModule<WasmBackendModule>('@tensorflow/tfjs-backend-wasm');
  if (tf.getBackend() !== 'wasm') {
    wasm.setWasmPaths(wasmDir.endsWith(path.sep) ? wasmDir : wasmDir + path.sep);
    let ok: boolean;
    try {
      ok = await tf.setBackend('wasm');
      await tf.ready();
    } catch (cause) {
      throw new EngineUnavailableError(`tfjs wasm backend failed to start from ${wasmDir}: ${(cause as Error).message}`, {
        cause,
      });
    }
    if (!ok || tf.getBackend() !== 'wasm') {
      throw new EngineUnavailableError(
        `tfjs wasm backend failed to start from ${wasmDir}: ${installHint('@tensorflow/tfjs-backend-wasm')}`,
      );
    }
  }
  return tf;
}
