import { nonMaxSuppression, piecewiseLinear, toRatioBox } from './geometry';

describe('geometry', () => {
  it('clamps ratio boxes to the image', () => {
    expect(toRatioBox({ x: -10, y: 50, width: 60, height: 100 }, 100, 100)).toEqual({ left: 0, top: 0.5, width: 0.5, height: 0.5 });
  });

  it('suppresses overlapping and nested boxes, keeping the best score', () => {
    const kept = nonMaxSuppression(
      [
        { box: { x: 0, y: 0, width: 100, height: 100 }, score: 0.8 }, // overlaps the 0.9 box (IoU 0.68)
        { box: { x: 10, y: 10, width: 100, height: 100 }, score: 0.9 },
        { box: { x: 20, y: 20, width: 30, height: 30 }, score: 0.7 }, // nested in the 0.9 box
        { box: { x: 100, y: 100, width: 50, height: 50 }, score: 0.6 }, // touches a corner only
        { box: { x: 300, y: 300, width: 50, height: 50 }, score: 0.5 },
      ],
      0.3,
      0.7,
    );
    expect(kept.map((k) => k.score)).toEqual([0.9, 0.6, 0.5]);
  });

  it('interpolates piecewise-linear maps and stays flat beyond the ends', () => {
    const map = piecewiseLinear([
      [0, 0],
      [1, 10],
      [2, 30],
    ]);
    expect(map(-1)).toBe(0);
    expect(map(0.5)).toBe(5);
    expect(map(1.5)).toBe(20);
    expect(map(5)).toBe(30);
  });
});
