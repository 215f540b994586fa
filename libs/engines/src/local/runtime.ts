import { EngineUnavailableError } from '../engine';
import { FaceModels, defaultFaceModelDir } from './faces';
import { LabelModel, defaultHumanModelDir } from './labels';
import { Mutex } from './mutex';
import { defaultWasmDir, loadTfWasm, type Tf } from './tfjs-wasm';

export interface RuntimeOptions {
  wasmDir?: string;
  faceModelDir?: string;
  humanModelDir?: string;
  warmup: boolean;
}

/**
 * The tfjs models, shared by every LocalEngine of the process: tfjs has one global backend and face-api
 * keeps its nets in module globals, so two copies would only cost memory. Reference-counted: the models
 * are freed when the last engine stops. All model work goes through `mutex` (one wasm thread anyway).
 */
export interface VisionRuntime {
  readonly tf: Tf;
  readonly faces: FaceModels;
  readonly labels: LabelModel;
  readonly mutex: Mutex;
}

interface Shared {
  key: string;
  refs: number;
  runtime: Promise<VisionRuntime>;
}
let shared: Shared | undefined;

export async function acquireRuntime(options: RuntimeOptions): Promise<VisionRuntime> {
  const wasmDir = options.wasmDir ?? defaultWasmDir();
  const faceModelDir = options.faceModelDir ?? defaultFaceModelDir();
  const humanModelDir = options.humanModelDir ?? defaultHumanModelDir();
  const key = JSON.stringify([wasmDir, faceModelDir, humanModelDir]);
  if (shared && shared.key !== key) {
    throw new Error(`the local engine models are already loaded with other paths in this process (${shared.key})`);
  }
  if (!shared) {
    const entry: Shared = { key, refs: 0, runtime: createRuntime(wasmDir, faceModelDir, humanModelDir, options.warmup) };
    shared = entry;
    entry.runtime.catch(() => {
      if (shared === entry) shared = undefined;
    });
  }
  shared.refs += 1;
  const entry = shared;
  try {
    return await entry.runtime;
  } catch (error) {
    entry.refs -= 1;
    throw error;
  }
}

/** Drops one reference; the last one frees the models once in-flight work is done. */
export async function releaseRuntime(runtime: VisionRuntime): Promise<void> {
  const entry = shared;
  if (!entry || (await entry.runtime.catch(() => undefined)) !== runtime) return;
  entry.refs -= 1;
  if (entry.refs > 0) return;
  shared = undefined;
  await runtime.mutex.run(async () => {
    runtime.faces.dispose();
    runtime.labels.dispose();
  });
}

async function createRuntime(wasmDir: string, faceModelDir: string, humanModelDir: string, warmup: boolean): Promise<VisionRuntime> {
  const tf = await loadTfWasm(wasmDir);
  const faces = await FaceModels.load(tf, faceModelDir);
  let labels: LabelModel;
  try {
    labels = await LabelModel.load(tf, humanModelDir, wasmDir);
  } catch (error) {
    faces.dispose();
    throw error;
  }
  const runtime: VisionRuntime = { tf, faces, labels, mutex: new Mutex() };
  if (warmup) {
    try {
      await runtime.mutex.run(async () => {
        await faces.warmup();
        await labels.warmup();
      });
    } catch (cause) {
      faces.dispose();
      labels.dispose();
      throw new EngineUnavailableError(`local engine models failed their warm-up run: ${(cause as Error).message}`, { cause });
    }
  }
  return runtime;
}
