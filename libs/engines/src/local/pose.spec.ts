import { fivePoints, poseFromPoints, poseOf68, type FivePoints } from './pose';

/**
 * The five points of a face model turned by yaw and pitch, then rolled in the image, projected orthographically:
 * the same rigid face the estimate assumes (eye span 2, nose tip 1.1 in front of the eye-mouth plane).
 */
function face({ roll = 0, yaw = 0, pitch = 0 }): FivePoints {
  const rad = (d: number) => (d * Math.PI) / 180;
  const model = {
    eyeLeft: [-1, 0, 0],
    eyeRight: [1, 0, 0],
    nose: [0, 0.56 * 2.2, 1.1],
    mouthLeft: [-0.7, 2.2, 0],
    mouthRight: [0.7, 2.2, 0],
  } as const;
  const project = ([x, y, z]: readonly number[]) => {
    // yaw about the vertical axis (towards the image's right), pitch about the horizontal one (looking up).
    const x1 = x * Math.cos(rad(yaw)) + z * Math.sin(rad(yaw));
    const z1 = -x * Math.sin(rad(yaw)) + z * Math.cos(rad(yaw));
    const y2 = y * Math.cos(rad(pitch)) - z1 * Math.sin(rad(pitch));
    const [c, s] = [Math.cos(rad(roll)), Math.sin(rad(roll))];
    return { x: 100 + 20 * (x1 * c - y2 * s), y: 100 + 20 * (x1 * s + y2 * c) };
  };
  return Object.fromEntries(Object.entries(model).map(([name, point]) => [name, project(point)])) as unknown as FivePoints;
}

describe('pose from five landmarks', () => {
  it('reads a frontal, level face as 0, 0, 0', () => {
    const pose = poseFromPoints(face({}));
    expect(pose.roll).toBeCloseTo(0, 1);
    expect(pose.yaw).toBeCloseTo(0, 1);
    expect(pose.pitch).toBeCloseTo(0, 1);
  });

  it.each([-30, -10, 15, 40])('reads roll %p exactly (the eye line)', (roll) => {
    expect(poseFromPoints(face({ roll })).roll).toBeCloseTo(roll, 1);
  });

  it.each([-40, -15, 20, 35])('reads yaw %p within a few degrees, rolled or not', (yaw) => {
    expect(Math.abs(poseFromPoints(face({ yaw })).yaw - yaw)).toBeLessThan(5);
    expect(Math.abs(poseFromPoints(face({ yaw, roll: 20 })).yaw - yaw)).toBeLessThan(5);
  });

  it.each([-25, -10, 10, 25])('reads pitch %p within a few degrees, with its sign', (pitch) => {
    const read = poseFromPoints(face({ pitch })).pitch;
    expect(Math.sign(read)).toBe(Math.sign(pitch));
    expect(Math.abs(read - pitch)).toBeLessThan(6);
  });

  it('stays within -180..180 and is level and frontal without landmarks', () => {
    const upsideDown = poseFromPoints(face({ roll: 179 }));
    expect(Math.abs(upsideDown.roll)).toBeLessThanOrEqual(180);
    expect(poseOf68([])).toEqual({ roll: 0, yaw: 0, pitch: 0 });
  });

  it('takes the five points from the 68-point layout', () => {
    const points = Array.from({ length: 68 }, (_, i) => ({ x: i, y: 100 + i }));
    expect(fivePoints(points)).toEqual({
      eyeLeft: { x: 38.5, y: 138.5 },
      eyeRight: { x: 44.5, y: 144.5 },
      nose: { x: 30, y: 130 },
      mouthLeft: { x: 48, y: 148 },
      mouthRight: { x: 54, y: 154 },
    });
    expect(fivePoints([])).toBeUndefined();
  });
});
