import { constants as fsConstants } from 'node:fs';
import { access, open } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { Worker as ThreadWorker } from 'node:worker_threads';
import type { TextDetectResult } from '@nomosly/contracts';
import type { Page, Worker } from 'tesseract.js';
import type { VisionImage } from '@nomosly/images';
import { EngineUnavailableError } from '../engine';
import { percent, toRatioBox, unionBox, type PixelBox } from './geometry';
import { loadModule } from './modules';
import { Mutex } from './mutex';
import type { Sharp } from './sharp';

type TesseractModule = typeof import('tesseract.js');

/** Debian's tesseract-ocr-eng: LSTM-only ("fast") English data, Apache-2.0. */
export const DEFAULT_TESSDATA_FILE = '/usr/share/tesseract-ocr/5/tessdata/eng.traineddata';
const INSTALL_DATA = 'install the Debian package tesseract-ocr-eng';

/** Words below this confidence, or without a letter or digit, are photo texture, not text. */
export const MIN_WORD_CONFIDENCE = 70;
export const HAS_LETTER_OR_DIGIT = /[\p{L}\p{N}]/u;

/** tesseract's OEM.LSTM_ONLY: the legacy engines fail with this data. */
const OEM_LSTM_ONLY = 1;
/** TessdataManager's index of the LSTM model in a .traineddata file. */
const TESSDATA_LSTM = 17;

/**
 * Checks that `file` is a readable .traineddata with an LSTM model, before tesseract sees it: a missing
 * or broken file makes tesseract.js hang its start promise and throw from its message handler, which
 * takes the whole process down.
 */
export async function checkTraineddata(file: string): Promise<void> {
  try {
    await access(file, fsConstants.R_OK);
  } catch {
    throw new EngineUnavailableError(`tesseract English data not found at ${file}: ${INSTALL_DATA}`);
  }
  const handle = await open(file, 'r');
  try {
    const { size } = await handle.stat();
    const header = Buffer.alloc(4 + 8 * 64);
    const { bytesRead } = await handle.read(header, 0, header.length, 0);
    // Layout: int32 entry count, then one int64 offset per entry (-1 when absent), then the entries.
    const entries = bytesRead >= 4 ? header.readInt32LE(0) : 0;
    const valid =
      entries > TESSDATA_LSTM &&
      entries <= 64 &&
      bytesRead >= 4 + 8 * entries &&
      Array.from({ length: entries }, (_, i) => Number(header.readBigInt64LE(4 + 8 * i))).every(
        (offset) => offset === -1 || (offset >= 4 + 8 * entries && offset < size),
      ) &&
      Number(header.readBigInt64LE(4 + 8 * TESSDATA_LSTM)) > 0;
    if (!valid) {
      throw new EngineUnavailableError(
        `tesseract English data at ${file} is damaged or has no LSTM model: reinstall the Debian package tesseract-ocr-eng`,
      );
    }
  } finally {
    await handle.close();
  }
}

/** Told about each worker thread tesseract.js spawns while it is set (see startWorker). */
let onThreadSpawn: ((thread: ThreadWorker) => void) | undefined;

/**
 * Loads tesseract.js so that the worker threads it spawns can be reached: when initialisation fails,
 * tesseract.js never settles its start promise nor hands out the worker, and the orphan thread would
 * keep the process alive. Its node worker factory takes `Worker` from worker_threads when first loaded,
 * so a tracking subclass is put in place for that moment only.
 */
async function loadTesseract(): Promise<TesseractModule> {
  const threads = createRequire(__filename)('node:worker_threads') as { Worker: typeof ThreadWorker };
  const Original = threads.Worker;
  class TrackedWorker extends Original {
    constructor(...args: ConstructorParameters<typeof ThreadWorker>) {
      super(...args);
      onThreadSpawn?.(this);
    }
  }
  threads.Worker = TrackedWorker;
  try {
    return await loadModule<TesseractModule>('tesseract.js');
  } finally {
    threads.Worker = Original;
  }
}

export interface TextModelOptions {
  /** Full path of eng.traineddata. */
  tessdataFile: string;
  /** Upper bound for one recognition; the worker is restarted after a timeout. */
  timeoutMs: number;
}

/**
 * OCR with one tesseract.js worker (its own thread, so it runs beside the tfjs work). Page segmentation
 * is automatic and binarisation adaptive (Sauvola): with tesseract's default global Otsu threshold, text
 * on a light patch of a dark photo is lost entirely.
 */
export class TextModel {
  private readonly mutex = new Mutex();
  private worker: Worker | undefined;
  private closed = false;

  private constructor(
    private readonly tesseract: TesseractModule,
    private readonly sharp: Sharp,
    private readonly options: TextModelOptions,
  ) {}

  static async load(sharp: Sharp, options: TextModelOptions): Promise<TextModel> {
    await checkTraineddata(options.tessdataFile);
    const tesseract = await loadTesseract();
    const model = new TextModel(tesseract, sharp, options);
    model.worker = await model.startWorker();
    return model;
  }

  async warmup(): Promise<void> {
    const png = await this.sharp({ create: { width: 160, height: 48, channels: 3, background: '#ffffff' } })
      .png()
      .toBuffer();
    await this.mutex.run(() => this.recognize(png));
  }

  async detect(image: VisionImage): Promise<TextDetectResult> {
    const { png, width, height } = await this.prepare(image);
    const page = await this.mutex.run(() => this.recognize(png));
    return toTextResult(page, width, height);
  }

  /** Ends the worker after the recognitions already queued; later calls are refused. */
  async terminate(): Promise<void> {
    await this.mutex.run(async () => {
      this.closed = true;
      const worker = this.worker;
      this.worker = undefined;
      await worker?.terminate().catch(() => undefined);
    });
  }

  /** Grey PNG, upscaled when small (tesseract wants ~20 px letters), downscaled when huge. */
  private async prepare(image: VisionImage): Promise<{ png: Buffer; width: number; height: number }> {
    const longSide = Math.max(image.width, image.height);
    const scale = longSide < 500 ? Math.min(2, 1000 / longSide) : longSide > 2500 ? 2500 / longSide : 1;
    const width = Math.max(1, Math.round(image.width * scale));
    const height = Math.max(1, Math.round(image.height * scale));
    let pipeline = this.sharp(image.rgb, { raw: { width: image.width, height: image.height, channels: 3 } }).greyscale();
    if (scale !== 1) pipeline = pipeline.resize(width, height, { fit: 'fill', kernel: 'cubic' });
    const png = await pipeline.png({ compressionLevel: 1 }).toBuffer();
    return { png, width, height };
  }

  private async recognize(png: Buffer): Promise<Page> {
    if (this.closed) throw new EngineUnavailableError('local engine stopped');
    this.worker ??= await this.startWorker();
    const worker = this.worker;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`text recognition timed out after ${this.options.timeoutMs} ms`)), this.options.timeoutMs);
    });
    try {
      const result = await Promise.race([worker.recognize(png, {}, { blocks: true, text: false }), timeout]);
      return result.data;
    } catch (error) {
      // A worker that timed out or failed may be wedged: replace it on the next call.
      if (this.worker === worker) this.worker = undefined;
      void worker.terminate().catch(() => undefined);
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }

  private async startWorker(): Promise<Worker> {
    const { tessdataFile } = this.options;
    const failure = (detail: string): EngineUnavailableError =>
      new EngineUnavailableError(`tesseract.js worker failed to start with ${tessdataFile} (${detail}): ${INSTALL_DATA}`);
    let reportError: (error: EngineUnavailableError) => void = () => undefined;
    const reported = new Promise<never>((_, reject) => {
      reportError = reject;
    });
    const stopGuard = guardTesseractCrash((message) => reportError(failure(message)));
    let abandoned = false;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(failure('no answer within 30 s')), 30_000);
    });
    const threads: ThreadWorker[] = [];
    try {
      onThreadSpawn = (thread) => threads.push(thread);
      let starting: Promise<Worker>;
      try {
        // Spawns its thread synchronously.
        starting = this.tesseract.createWorker('eng', OEM_LSTM_ONLY, {
          langPath: path.dirname(tessdataFile),
          gzip: false,
          cacheMethod: 'none',
          logger: () => undefined,
          errorHandler: (error: unknown) => reportError(failure(String(error))),
        });
      } finally {
        onThreadSpawn = undefined;
      }
      // If the race is lost, a worker that starts late must not linger.
      starting.then(
        (late) => {
          if (abandoned) void late.terminate().catch(() => undefined);
        },
        () => undefined,
      );
      const worker = await Promise.race([starting, reported, timeout]);
      await worker.setParameters({
        tessedit_pageseg_mode: '3' as Parameters<Worker['setParameters']>[0]['tessedit_pageseg_mode'],
        thresholding_method: '2',
        // tesseract's own notices ("Estimating resolution as ...") would go to the process's stderr.
        debug_file: '/dev/null',
      });
      this.worker = worker;
      return worker;
    } catch (error) {
      abandoned = true;
      for (const thread of threads) void thread.terminate();
      throw error;
    } finally {
      clearTimeout(timer);
      stopGuard();
    }
  }
}

/**
 * While a worker starts, tesseract.js 7 can throw from its worker-message handler (a reply for a job it
 * already dropped), an uncaught exception that would end the process. This catches exactly those, for
 * that window, and lets anything else behave as it would have.
 */
function guardTesseractCrash(onCrash: (message: string) => void): () => void {
  const listener = (error: Error): void => {
    if (/tesseract\.js[\\/]src/.test(error?.stack ?? '')) {
      onCrash(error.message);
      return;
    }
    if (process.listenerCount('uncaughtException') === 1) {
      // We were the only listener: restore the default (crash) behaviour for this foreign error.
      process.removeListener('uncaughtException', listener);
      process.nextTick(() => {
        throw error;
      });
    }
  };
  process.on('uncaughtException', listener);
  return () => process.removeListener('uncaughtException', listener);
}

interface TesseractBbox {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}
const toPixelBox = (b: TesseractBbox): PixelBox => ({ x: b.x0, y: b.y0, width: b.x1 - b.x0, height: b.y1 - b.y0 });

/** LINE entries (in reading order) then WORD entries, as Rekognition lists them; junk words dropped. */
export function toTextResult(page: Page, width: number, height: number): TextDetectResult {
  const lines: TextDetectResult['text'] = [];
  const words: TextDetectResult['text'] = [];
  for (const block of page.blocks ?? []) {
    for (const paragraph of block.paragraphs) {
      for (const line of paragraph.lines) {
        const kept = line.words
          .map((word) => ({ ...word, text: word.text.trim() }))
          .filter((word) => word.confidence >= MIN_WORD_CONFIDENCE && HAS_LETTER_OR_DIGIT.test(word.text));
        if (kept.length === 0) continue;
        const box = unionBox(kept.map((word) => toPixelBox(word.bbox)));
        if (!box) continue;
        lines.push({
          type: 'LINE',
          text: kept.map((word) => word.text).join(' '),
          confidence: percent(kept.reduce((sum, word) => sum + word.confidence, 0) / kept.length),
          boundingBox: toRatioBox(box, width, height),
        });
        for (const word of kept) {
          words.push({
            type: 'WORD',
            text: word.text,
            confidence: percent(word.confidence),
            boundingBox: toRatioBox(toPixelBox(word.bbox), width, height),
          });
        }
      }
    }
  }
  return { text: [...lines, ...words] };
}
