import { ALIGNED_SIDE, alignmentTransform, faceAlignment, faceBoxFromLandmarks, type Alignment } from './face-align';
import type { Point } from './geometry';

/** 68 points whose eyes (36-41, 42-47) and mouth (48-67) sit where given; the rest unused by the alignment. */
function landmarks(leftEye: Point, rightEye: Point, mouth: Point): Point[] {
  return Array.from({ length: 68 }, (_, i) => (i >= 36 && i < 42 ? leftEye : i >= 42 && i < 48 ? rightEye : i >= 48 ? mouth : { x: 0, y: 0 }));
}

/** Where the transform samples the image for output pixel (x, y). */
function sample(t: number[], x: number, y: number): Point {
  return { x: t[0] * x + t[1] * y + t[2], y: t[3] * x + t[4] * y + t[5] };
}

/** A face of eye span 40 and eye-to-mouth height 45, turned by `degrees` about the point between its eyes. */
function turnedFace(degrees: number, at: Point): Point[] {
  const a = (degrees * Math.PI) / 180;
  const turn = (x: number, y: number): Point => ({ x: at.x + x * Math.cos(a) - y * Math.sin(a), y: at.y + x * Math.sin(a) + y * Math.cos(a) });
  return landmarks(turn(-20, 0), turn(20, 0), turn(0, 45));
}

/** The alignment of a face that has its 68 points (fails the test otherwise). */
function aligned(points: Point[]): Alignment {
  const alignment = faceAlignment(points);
  if (!alignment) throw new Error('no alignment for 68 points');
  return alignment;
}

describe('face alignment', () => {
  it('needs the 68 points', () => {
    expect(faceAlignment([])).toBeUndefined();
    expect(faceAlignment(turnedFace(0, { x: 100, y: 100 }).slice(0, 67))).toBeUndefined();
  });

  it('reads the turn of the eye line and sizes the crop by the eye-to-mouth distance', () => {
    for (const degrees of [0, 25, -40, 90]) {
      const alignment = aligned(turnedFace(degrees, { x: 300, y: 200 }));
      expect(alignment.roll).toBeCloseTo((degrees * Math.PI) / 180, 6);
      expect(alignment.size).toBeCloseTo(Math.hypot(20, 45) / 0.45, 6);
    }
  });

  it('cuts the same crop out of a turned face: the eyes level and where they are for an upright one', () => {
    const upright = alignmentTransform(aligned(turnedFace(0, { x: 300, y: 200 })));
    const eyesUpright = [-20, 20].map((dx) => ({ x: 300 + dx, y: 200 }));
    // Output pixel of each eye in the upright crop (the transform is a scaled translation there).
    const output = eyesUpright.map((eye) => ({ x: (eye.x - upright[2]) / upright[0], y: (eye.y - upright[5]) / upright[4] }));
    expect(output[0].y).toBeCloseTo(output[1].y, 6);
    expect(output[0].x).toBeGreaterThan(0);
    expect(output[1].x).toBeLessThan(ALIGNED_SIDE);

    for (const degrees of [30, -45]) {
      const a = (degrees * Math.PI) / 180;
      const turned = alignmentTransform(aligned(turnedFace(degrees, { x: 500, y: 400 })));
      output.forEach((pixel, i) => {
        const dx = i === 0 ? -20 : 20;
        const expected = { x: 500 + dx * Math.cos(a), y: 400 + dx * Math.sin(a) };
        const got = sample(turned, pixel.x, pixel.y);
        expect(got.x).toBeCloseTo(expected.x, 6);
        expect(got.y).toBeCloseTo(expected.y, 6);
      });
    }
  });
});

describe('face box from landmarks', () => {
  /** Jaw 0-16 from (100, 120) round to (180, 120) with the chin (8) at y 200; brows 17-26 at y 110. */
  function outlined(): Point[] {
    return Array.from({ length: 68 }, (_, i) => {
      if (i < 17) return { x: 100 + 5 * i, y: 120 + 80 * Math.sin((Math.PI * i) / 16) };
      if (i < 27) return { x: 110 + 6 * (i - 17), y: 110 };
      return { x: 140, y: 150 };
    });
  }

  it('runs cheek to cheek, chin up to a forehead margin above the brows', () => {
    const box = faceBoxFromLandmarks(outlined(), 640, 480);
    expect(box).toEqual({ x: 100, y: 92, width: 80, height: 108 });
  });

  it('is clipped to the image and needs the 68 points', () => {
    expect(faceBoxFromLandmarks(outlined(), 150, 480)).toEqual({ x: 100, y: 92, width: 50, height: 108 });
    expect(faceBoxFromLandmarks([], 640, 480)).toBeUndefined();
  });
});
