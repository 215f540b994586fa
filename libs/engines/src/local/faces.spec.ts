import { detectionTiles, detectorInputSizes, fiveLandmarks, similarity, smallFaceInputSize } from './faces';

describe('face helpers', () => {
  it('derives the five Rekognition landmarks from the 68-point layout', () => {
    const points = Array.from({ length: 68 }, (_, i) => ({ x: i, y: 100 + i }));
    const landmarks = fiveLandmarks(points, 200, 400);
    expect(landmarks.map((l) => l.type)).toEqual(['eyeLeft', 'eyeRight', 'nose', 'mouthLeft', 'mouthRight']);
    // eyeLeft = mean of 36..41 = 38.5; nose = point 30; mouth corners = 48 and 54.
    expect(landmarks[0]).toEqual({ type: 'eyeLeft', x: 38.5 / 200, y: 138.5 / 400 });
    expect(landmarks[2]).toEqual({ type: 'nose', x: 30 / 200, y: 130 / 400 });
    expect(landmarks[3].x).toBe(48 / 200);
    expect(landmarks[4].x).toBe(54 / 200);
    expect(fiveLandmarks([], 10, 10)).toEqual([]);
  });

  it('maps descriptor distance to similarity: same person >= 90, different people < 50', () => {
    for (const same of [0, 0.1, 0.32, 0.4]) expect(similarity(same)).toBeGreaterThanOrEqual(90);
    for (const different of [0.67, 0.87, 1.5]) expect(similarity(different)).toBeLessThan(50);
    expect(similarity(0.5)).toBe(80);
  });

  it('runs a coarse pass for close-ups and a finer one chosen from the image size', () => {
    expect(detectorInputSizes(512, 512)).toEqual([224, 320]);
    expect(detectorInputSizes(640, 480)).toEqual([224, 384]);
    expect(detectorInputSizes(1200, 800)).toEqual([224, 512]);
    expect(detectorInputSizes(4000, 3000)).toEqual([224, 608]);
  });

  it('looks for small faces in the image upscaled 1.4 times (at most 1024), only where that is closer than the fine pass', () => {
    expect(smallFaceInputSize(500, 375)).toBe(704);
    expect(smallFaceInputSize(375, 500)).toBe(704);
    expect(smallFaceInputSize(640, 480)).toBe(896);
    expect(smallFaceInputSize(1024, 768)).toBe(1024);
    expect(smallFaceInputSize(1600, 1200)).toBe(1024);
    // A face chip's fine pass (320) already upscales it beyond 1.4 times.
    expect(smallFaceInputSize(150, 150)).toBeUndefined();
    expect(smallFaceInputSize(224, 200)).toBeUndefined();
  });

  it('searches a photo of usual shape whole, and a wide or tall one in half-overlapping square tiles', () => {
    expect(detectionTiles(640, 480)).toEqual([{ x: 0, y: 0, width: 640, height: 480 }]);
    expect(detectionTiles(480, 760)).toEqual([{ x: 0, y: 0, width: 480, height: 760 }]);
    expect(detectionTiles(900, 300)).toEqual([
      { x: 0, y: 0, width: 300, height: 300 },
      { x: 150, y: 0, width: 300, height: 300 },
      { x: 300, y: 0, width: 300, height: 300 },
      { x: 450, y: 0, width: 300, height: 300 },
      { x: 600, y: 0, width: 300, height: 300 },
    ]);
    // The last tile ends at the image's end; tall images are tiled downwards.
    const tall = detectionTiles(200, 590);
    expect(tall.map((t) => t.y)).toEqual([0, 100, 200, 300, 390]);
    for (const tile of tall) expect(tile).toMatchObject({ x: 0, width: 200, height: 200 });
  });
});
