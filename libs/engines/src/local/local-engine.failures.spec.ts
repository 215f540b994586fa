import { copyFile, mkdir, mkdtemp, open, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { EngineUnavailableError } from '../engine';
import { LocalEngine } from './local-engine';
import { DEFAULT_TESSDATA_FILE } from './text';

/** start() must fail fast and say what is missing and what to install; nothing may be left running. */
describe('LocalEngine start() failures', () => {
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'engines-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  async function startError(engine: LocalEngine): Promise<EngineUnavailableError> {
    const error: unknown = await engine.start().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(EngineUnavailableError);
    await engine.stop();
    return error as EngineUnavailableError;
  }

  it('names the Debian package when the tesseract data is missing', async () => {
    const missing = path.join(dir, 'nowhere', 'eng.traineddata');
    const error = await startError(new LocalEngine({ tessdataFile: missing }));
    expect(error.message).toBe(`tesseract English data not found at ${missing}: install the Debian package tesseract-ocr-eng`);
  });

  it('refuses a damaged traineddata file before tesseract sees it', async () => {
    const damaged = path.join(dir, 'eng.traineddata');
    await copyFile(DEFAULT_TESSDATA_FILE, damaged);
    const handle = await open(damaged, 'r+');
    await handle.truncate(100_000);
    await handle.close();
    const error = await startError(new LocalEngine({ tessdataFile: damaged }));
    expect(error.message).toContain('damaged');
    expect(error.message).toContain('tesseract-ocr-eng');
  });

  it('fails cleanly, leaving no thread behind, when the data passes the header check but is corrupt', async () => {
    const corrupt = path.join(dir, 'corrupt', 'eng.traineddata');
    await mkdir(path.dirname(corrupt));
    await copyFile(DEFAULT_TESSDATA_FILE, corrupt);
    const handle = await open(corrupt, 'r+');
    await handle.write(Buffer.alloc(200_000), 0, 200_000, 300);
    await handle.close();
    const error = await startError(new LocalEngine({ tessdataFile: corrupt, wasmDir: path.join(dir, 'no-wasm') }));
    // (The models are kept from loading by a missing wasm directory, to keep this test fast; the OCR
    // failure is the one reported.)
    expect(error.message).toContain('tesseract.js worker failed to start');
    expect(error.message).toContain('install the Debian package tesseract-ocr-eng');
  });

  it('names the npm package when the tfjs wasm binaries are missing', async () => {
    const error = await startError(new LocalEngine({ wasmDir: path.join(dir, 'no-wasm') }));
    expect(error.message).toContain('tfjs-backend-wasm.wasm');
    expect(error.message).toContain('install the npm package @tensorflow/tfjs-backend-wasm@4.22.0');
  });

  it('names the npm package when the face-api models are missing', async () => {
    const error = await startError(new LocalEngine({ faceModelDir: path.join(dir, 'no-models') }));
    expect(error.message).toContain('tiny_face_detector_model-weights_manifest.json');
    expect(error.message).toContain('install the npm package @vladmandic/face-api@1.7.15');
  });

  it('names the npm package when the human models are missing', async () => {
    const error = await startError(new LocalEngine({ humanModelDir: path.join(dir, 'no-models'), warmup: false }));
    expect(error.message).toContain('centernet.json');
    expect(error.message).toContain('install the npm package @vladmandic/human@3.3.6');
  });

  it('names the fetch command when the object model (nanodet) is missing', async () => {
    const error = await startError(new LocalEngine({ objectModelDir: path.join(dir, 'no-models'), warmup: false }));
    expect(error.message).toContain('nanodet.json');
    expect(error.message).toContain('node tools/scripts/fetch-models.mjs');
  });

  it('does not cache a failed start: the next start() tries again', async () => {
    const engine = new LocalEngine({ tessdataFile: path.join(dir, 'missing') });
    await expect(engine.start()).rejects.toThrow(EngineUnavailableError);
    await expect(engine.start()).rejects.toThrow(EngineUnavailableError);
    await engine.stop();
  });
});
