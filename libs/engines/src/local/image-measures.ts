import type { FaceQuality, ImageProperties } from '@nomosly/contracts';
import { clamp, type PixelBox } from './geometry';

/** Packed 8-bit RGB, row by row, as the engine decodes images. */
export interface RgbImage {
  data: Uint8Array;
  width: number;
  height: number;
}

/** A grey (luma) image, values 0..255. */
interface Luma {
  values: Float32Array;
  width: number;
  height: number;
}

/*
 * Measures are taken on at most MEASURE_SIDE pixels a side: a larger region is averaged down (box filter, so
 * no aliasing adds false detail), a smaller one is measured as it is (upscaling would add blockiness or blur).
 * Sharpness therefore reads the detail of a face at about the size a viewer sees it in a thumbnail.
 */
const MEASURE_SIDE = 128;

/*
 * Sharpness: the variance of the 4-neighbour Laplacian of the luma (0..255), mapped by
 * 100 * (1 - exp(-variance / SHARPNESS_SCALE)), so that a variance of 200 (a slightly soft photo) reads 50.
 * Measured on the fixtures' faces (at most 128 px, see MEASURE_SIDE): in focus 930-2350 (96-100); Grace
 * Hopper's portrait blurred with sigma 1 -> 900 (96), sigma 2 -> 210 (52), sigma 3 -> 66 (20); flat areas 0.
 */
const SHARPNESS_SCALE = 290;

/** ITU-R BT.601 luma, the brightness people perceive. */
const luma = (r: number, g: number, b: number): number => 0.299 * r + 0.587 * g + 0.114 * b;

/** Brightness and sharpness of a region (a face's box), 0..100. */
export function regionQuality(image: RgbImage, box: PixelBox): FaceQuality {
  const grey = lumaOf(image, box);
  return { brightness: brightness(grey), sharpness: sharpness(grey) };
}

/** Brightness, sharpness and contrast of the whole image, 0..100. */
export function imageQuality(image: RgbImage): ImageProperties['quality'] {
  const grey = lumaOf(image, { x: 0, y: 0, width: image.width, height: image.height });
  return { brightness: brightness(grey), sharpness: sharpness(grey), contrast: contrast(grey) };
}

/** Mean luma scaled to 0..100. */
function brightness(grey: Luma): number {
  return round(clamp((mean(grey.values) / 255) * 100, 0, 100));
}

function sharpness(grey: Luma): number {
  const { values, width, height } = grey;
  if (width < 3 || height < 3) return 0;
  let sum = 0;
  let sumSquares = 0;
  let n = 0;
  for (let y = 1; y < height - 1; y += 1) {
    for (let x = 1; x < width - 1; x += 1) {
      const i = y * width + x;
      const laplacian = values[i - 1] + values[i + 1] + values[i - width] + values[i + width] - 4 * values[i];
      sum += laplacian;
      sumSquares += laplacian * laplacian;
      n += 1;
    }
  }
  const variance = sumSquares / n - (sum / n) ** 2;
  return round(clamp(100 * (1 - Math.exp(-variance / SHARPNESS_SCALE)), 0, 100));
}

/**
 * RMS contrast: the luma's standard deviation over its largest possible value (127.5, half the pixels black
 * and half white), as a percentage.
 */
function contrast(grey: Luma): number {
  const average = mean(grey.values);
  let sumSquares = 0;
  for (const v of grey.values) sumSquares += (v - average) ** 2;
  return round(clamp((Math.sqrt(sumSquares / (grey.values.length || 1)) / 127.5) * 100, 0, 100));
}

/** The luma of a region, box-averaged down to at most MEASURE_SIDE a side. */
function lumaOf(image: RgbImage, box: PixelBox): Luma {
  const x0 = clamp(Math.floor(box.x), 0, image.width - 1);
  const y0 = clamp(Math.floor(box.y), 0, image.height - 1);
  const x1 = clamp(Math.ceil(box.x + box.width), x0 + 1, image.width);
  const y1 = clamp(Math.ceil(box.y + box.height), y0 + 1, image.height);
  const scale = Math.max(1, (x1 - x0) / MEASURE_SIDE, (y1 - y0) / MEASURE_SIDE);
  const width = Math.max(1, Math.floor((x1 - x0) / scale));
  const height = Math.max(1, Math.floor((y1 - y0) / scale));
  const values = new Float32Array(width * height);
  for (let oy = 0; oy < height; oy += 1) {
    const sy0 = y0 + Math.floor(oy * scale);
    const sy1 = Math.max(sy0 + 1, y0 + Math.floor((oy + 1) * scale));
    for (let ox = 0; ox < width; ox += 1) {
      const sx0 = x0 + Math.floor(ox * scale);
      const sx1 = Math.max(sx0 + 1, x0 + Math.floor((ox + 1) * scale));
      let total = 0;
      for (let sy = sy0; sy < sy1; sy += 1) {
        for (let sx = sx0; sx < sx1; sx += 1) {
          const i = (sy * image.width + sx) * 3;
          total += luma(image.data[i], image.data[i + 1], image.data[i + 2]);
        }
      }
      values[oy * width + ox] = total / ((sy1 - sy0) * (sx1 - sx0));
    }
  }
  return { values, width, height };
}

/*
 * Colour names: the CSS named colours a person uses for a colour at a glance (CSS Color Module 4 values).
 * Each pixel is given the nearest of them, by a weighted RGB distance ("redmean", closer to what people see
 * than plain RGB distance).
 */
const COLOR_NAMES: ReadonlyArray<readonly [string, number, number, number]> = [
  ['black', 0, 0, 0],
  ['dimgray', 105, 105, 105],
  ['gray', 128, 128, 128],
  ['silver', 192, 192, 192],
  ['white', 255, 255, 255],
  ['red', 255, 0, 0],
  ['darkred', 139, 0, 0],
  ['brown', 165, 42, 42],
  ['salmon', 250, 128, 114],
  ['pink', 255, 192, 203],
  ['orange', 255, 165, 0],
  ['chocolate', 210, 105, 30],
  ['tan', 210, 180, 140],
  ['beige', 245, 245, 220],
  ['gold', 255, 215, 0],
  ['yellow', 255, 255, 0],
  ['olive', 128, 128, 0],
  ['green', 0, 128, 0],
  ['darkgreen', 0, 100, 0],
  ['lime', 0, 255, 0],
  ['teal', 0, 128, 128],
  ['cyan', 0, 255, 255],
  ['skyblue', 135, 206, 235],
  ['blue', 0, 0, 255],
  ['navy', 0, 0, 128],
  ['steelblue', 70, 130, 180],
  ['purple', 128, 0, 128],
  ['violet', 238, 130, 238],
  ['magenta', 255, 0, 255],
];

export function colorName(r: number, g: number, b: number): string {
  let best = COLOR_NAMES[0][0];
  let bestDistance = Infinity;
  for (const [name, cr, cg, cb] of COLOR_NAMES) {
    const redMean = (r + cr) / 2;
    const distance = (2 + redMean / 256) * (r - cr) ** 2 + 4 * (g - cg) ** 2 + (2 + (255 - redMean) / 256) * (b - cb) ** 2;
    if (distance < bestDistance) {
      bestDistance = distance;
      best = name;
    }
  }
  return best;
}

/** At most this many colours, each covering at least MIN_COLOR_PERCENT of the image. */
const MAX_COLORS = 10;
const MIN_COLOR_PERCENT = 1;
/** Pixels sampled for colours: a grid of about this many (a 640 x 480 photo is read every 5th pixel). */
const COLOR_SAMPLES = 16_384;

/**
 * The image's dominant colours: pixels grouped by their colour name, most pixels first; each colour's hex is
 * the mean of its pixels, so two shades with one name are one entry.
 */
export function dominantColors(image: RgbImage): ImageProperties['dominantColors'] {
  const step = Math.max(1, Math.floor(Math.sqrt((image.width * image.height) / COLOR_SAMPLES)));
  const groups = new Map<string, { n: number; r: number; g: number; b: number }>();
  let total = 0;
  for (let y = 0; y < image.height; y += step) {
    for (let x = 0; x < image.width; x += step) {
      const i = (y * image.width + x) * 3;
      const [r, g, b] = [image.data[i], image.data[i + 1], image.data[i + 2]];
      const name = colorName(r, g, b);
      const group = groups.get(name) ?? { n: 0, r: 0, g: 0, b: 0 };
      group.n += 1;
      group.r += r;
      group.g += g;
      group.b += b;
      groups.set(name, group);
      total += 1;
    }
  }
  return [...groups.entries()]
    .map(([name, { n, r, g, b }]) => ({ hex: hex(r / n, g / n, b / n), name, pixelPercent: round((100 * n) / total) }))
    .filter((color) => color.pixelPercent >= MIN_COLOR_PERCENT)
    .sort((a, b) => b.pixelPercent - a.pixelPercent || a.name.localeCompare(b.name))
    .slice(0, MAX_COLORS);
}

export function imageProperties(image: RgbImage): ImageProperties {
  return { dominantColors: dominantColors(image), quality: imageQuality(image) };
}

function hex(r: number, g: number, b: number): string {
  return `#${[r, g, b].map((v) => Math.round(clamp(v, 0, 255)).toString(16).padStart(2, '0')).join('').toUpperCase()}`;
}

function mean(values: Float32Array): number {
  let sum = 0;
  for (const v of values) sum += v;
  return sum / (values.length || 1);
}

const round = (value: number): number => Math.round(value * 100) / 100;
