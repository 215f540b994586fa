import type { BoundingBox } from '@nomosly/contracts';

/** An axis-aligned box in pixels of the image it was found in. */
export interface PixelBox {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface Point {
  x: number;
  y: number;
}

export const clamp = (value: number, min: number, max: number): number => Math.min(max, Math.max(min, value));

const round = (value: number, digits: number): number => {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
};

/** A ratio of the image size, 0..1, rounded to 6 decimals (sub-pixel even on 4096 px images). */
export const ratio = (value: number): number => round(clamp(value, 0, 1), 6);

/** A percentage, 0..100, rounded to 3 decimals. */
export const percent = (value: number): number => round(clamp(value, 0, 100), 3);

/** Clips a pixel box to the image; the result may have zero width or height. */
export function clipBox(box: PixelBox, imageWidth: number, imageHeight: number): PixelBox {
  const x1 = clamp(box.x, 0, imageWidth);
  const y1 = clamp(box.y, 0, imageHeight);
  const x2 = clamp(box.x + box.width, 0, imageWidth);
  const y2 = clamp(box.y + box.height, 0, imageHeight);
  return { x: x1, y: y1, width: Math.max(0, x2 - x1), height: Math.max(0, y2 - y1) };
}

/** A pixel box as the API's ratio box, clipped to the image. */
export function toRatioBox(box: PixelBox, imageWidth: number, imageHeight: number): BoundingBox {
  const clipped = clipBox(box, imageWidth, imageHeight);
  return {
    left: ratio(clipped.x / imageWidth),
    top: ratio(clipped.y / imageHeight),
    width: ratio(clipped.width / imageWidth),
    height: ratio(clipped.height / imageHeight),
  };
}

export function area(box: PixelBox): number {
  return Math.max(0, box.width) * Math.max(0, box.height);
}

function intersection(a: PixelBox, b: PixelBox): number {
  const w = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x);
  const h = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y);
  return w > 0 && h > 0 ? w * h : 0;
}

export function iou(a: PixelBox, b: PixelBox): number {
  const inter = intersection(a, b);
  const union = area(a) + area(b) - inter;
  return union > 0 ? inter / union : 0;
}

/** How much of the smaller box lies inside the larger one, 0..1. */
export function containment(a: PixelBox, b: PixelBox): number {
  const smaller = Math.min(area(a), area(b));
  return smaller > 0 ? intersection(a, b) / smaller : 0;
}

/**
 * Greedy non-maximum suppression: highest score first, a candidate is dropped when it overlaps a kept
 * one by more than `maxIou`, or lies mostly (`maxContainment`) inside it or around it.
 */
export function nonMaxSuppression<T extends { box: PixelBox; score: number }>(
  candidates: readonly T[],
  maxIou: number,
  maxContainment: number,
): T[] {
  const kept: T[] = [];
  for (const candidate of [...candidates].sort((a, b) => b.score - a.score)) {
    const overlaps = kept.some(
      (k) => iou(k.box, candidate.box) > maxIou || containment(k.box, candidate.box) > maxContainment,
    );
    if (!overlaps) kept.push(candidate);
  }
  return kept;
}

/** Union of boxes; undefined for none. */
export function unionBox(boxes: readonly PixelBox[]): PixelBox | undefined {
  if (boxes.length === 0) return undefined;
  const x1 = Math.min(...boxes.map((b) => b.x));
  const y1 = Math.min(...boxes.map((b) => b.y));
  const x2 = Math.max(...boxes.map((b) => b.x + b.width));
  const y2 = Math.max(...boxes.map((b) => b.y + b.height));
  return { x: x1, y: y1, width: x2 - x1, height: y2 - y1 };
}

export function mean(points: readonly Point[]): Point {
  const n = points.length || 1;
  return {
    x: points.reduce((s, p) => s + p.x, 0) / n,
    y: points.reduce((s, p) => s + p.y, 0) / n,
  };
}

/**
 * A monotone piecewise-linear map through `knots` ([input, output] pairs, inputs ascending), flat beyond
 * the ends. Used to turn raw model scores and distances into calibrated percentages.
 */
export function piecewiseLinear(knots: ReadonlyArray<readonly [number, number]>): (value: number) => number {
  if (knots.length < 2) throw new Error('piecewiseLinear needs at least two knots');
  return (value: number): number => {
    const first = knots[0];
    const last = knots[knots.length - 1];
    if (value <= first[0]) return first[1];
    if (value >= last[0]) return last[1];
    for (let i = 1; i < knots.length; i += 1) {
      const [x1, y1] = knots[i];
      if (value <= x1) {
        const [x0, y0] = knots[i - 1];
        return y0 + ((value - x0) / (x1 - x0)) * (y1 - y0);
      }
    }
    return last[1];
  };
}
