import { EngineUnavailableError } from '../engine';
import { FaceModels, defaultFaceModelDir } from './faces';
import { HumanModels, defaultHumanModelDir, defaultObjectModelDir } from './human';
import { Mutex } from './mutex';
import { defaultWasmDir, loadTfWasm, type Tf } from './tfjs-wasm';

export interface RuntimeOptions {
  wasmDir?: string;
  faceModelDir?: string;
  humanModelDir?: string;
  objectModelDir?: string;
  warmup: boolean;
}

/**
 * The tfjs models, shared by every LocalEngine of the process: tfjs has one global backend and face-api
 * keeps its nets in module globals, so two copies would only cost memory. Reference-counted: the models
 * are freed when the last engine stops. All model work goes through `run` (one wasm thread anyway).
 */
export interface VisionRuntime {
  readonly tf: Tf;
  readonly faces: FaceModels;
  readonly human: HumanModels;
  /** Runs model work alone; rejects with EngineUnavailableError once the models are freed. */
  run<T>(task: () => Promise<T>): Promise<T>;
}

class Runtime implements VisionRuntime {
  private readonly mutex = new Mutex();
  private disposed = false;

  constructor(
    readonly tf: Tf,
    readonly faces: FaceModels,
    readonly human: HumanModels,
  ) {}

  run<T>(task: () => Promise<T>): Promise<T> {
    return this.mutex.run(() => {
      if (this.disposed) throw new EngineUnavailableError('local engine stopped');
      return task();
    });
  }

  /** Frees the models after the work already queued. */
  dispose(): Promise<void> {
    return this.mutex.run(async () => {
      if (this.disposed) return;
      this.disposed = true;
      this.faces.dispose();
      this.human.dispose();
    });
  }
}

interface Shared {
  key: string;
  refs: number;
  runtime: Promise<Runtime>;
}
let shared: Shared | undefined;

export async function acquireRuntime(options: RuntimeOptions): Promise<VisionRuntime> {
  const wasmDir = options.wasmDir ?? defaultWasmDir();
  const faceModelDir = options.faceModelDir ?? defaultFaceModelDir();
  const humanModelDir = options.humanModelDir ?? defaultHumanModelDir();
  const objectModelDir = options.objectModelDir ?? defaultObjectModelDir();
  const key = JSON.stringify([wasmDir, faceModelDir, humanModelDir, objectModelDir]);
  if (shared && shared.key !== key) {
    throw new Error(`the local engine models are already loaded with other paths in this process (${shared.key})`);
  }
  if (!shared) {
    const entry: Shared = { key, refs: 0, runtime: createRuntime(wasmDir, faceModelDir, humanModelDir, objectModelDir, options.warmup) };
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
  if (!entry) return;
  const current = await entry.runtime.catch(() => undefined);
  if (current !== runtime) return;
  entry.refs -= 1;
  if (entry.refs > 0) return;
  if (shared === entry) shared = undefined;
  await current.dispose();
}

async function createRuntime(wasmDir: string, faceModelDir: string, humanModelDir: string, objectModelDir: string, warmup: boolean): Promise<Runtime> {
  const tf = await loadTfWasm(wasmDir);
  const faces = await FaceModels.load(tf, faceModelDir);
  let human: HumanModels;
  try {
    human = await HumanModels.load(tf, humanModelDir, objectModelDir, wasmDir);
  } catch (error) {
    faces.dispose();
    throw error;
  }
  const runtime = new Runtime(tf, faces, human);
  if (warmup) {
    try {
      await runtime.run(async () => {
        await faces.warmup();
        await human.warmup();
      });
    } catch (cause) {
      await runtime.dispose();
      throw new EngineUnavailableError(`local engine models failed their warm-up run: ${(cause as Error).message}`, { cause });
    }
  }
  return runtime;
}
