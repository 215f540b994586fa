import sharp from 'sharp';
import path from 'node:path';
import {
  CHECK_SET_GATES,
  boxIou,
  loadCheckSet,
  matchFaces,
  meetsGate,
  scoreCompare,
  scoreFaces,
  scoreLabels,
  scoreText,
  worseThan,
  type CheckSetImage,
} from './check-set';

const noLatency = { calls: 0, p50Ms: 0, p95Ms: 0 };
const image = (over: Partial<CheckSetImage>): CheckSetImage => ({
  file: 'x.jpg',
  kind: 'people',
  faces: [],
  labels: [],
  acceptable: [],
  absurd: [],
  ...over,
});

describe('check set', () => {
  it('has truth for every image and no truth without an image, 40 or more photos, faces inside the image', async () => {
    const set = loadCheckSet();
    expect(set.images.length).toBeGreaterThanOrEqual(40);
    for (const entry of set.images) {
      for (const face of entry.faces) {
        expect(face.left + face.width).toBeLessThanOrEqual(1);
        expect(face.top + face.height).toBeLessThanOrEqual(1);
      }
      // Truth is written against the committed file, whose long side is at most 1024 px.
      const { width = 0, height = 0 } = await sharp(path.join(set.dir, 'images', entry.file)).metadata();
      expect(Math.max(width, height)).toBeLessThanOrEqual(1024);
    }
    const names = new Set(set.images.map((entry) => entry.file));
    for (const pair of set.pairs) expect(names.has(pair.a) && names.has(pair.b)).toBe(true);
  });

  it('matches a detection to a truth face at IoU >= 0.4, one to one; a leftover detection is a false face unless on an ignored face', () => {
    const truth = [
      { left: 0.1, top: 0.1, width: 0.2, height: 0.2 },
      { left: 0.6, top: 0.6, width: 0.1, height: 0.1, ignore: true },
    ];
    const near = { left: 0.12, top: 0.12, width: 0.2, height: 0.2 }; // IoU 0.68
    const twin = { left: 0.1, top: 0.1, width: 0.2, height: 0.2 };
    const offset = { left: 0.2, top: 0.2, width: 0.2, height: 0.2 }; // IoU 0.14
    expect(boxIou(truth[0], near)).toBeCloseTo(0.324 / 0.476, 3);
    expect(matchFaces(truth, [near, twin])).toEqual({ found: [truth[0]], missed: [], falseFaces: [near] });
    expect(matchFaces(truth, [offset])).toEqual({ found: [], missed: [truth[0]], falseFaces: [offset] });
    expect(matchFaces(truth, [{ left: 0.6, top: 0.6, width: 0.1, height: 0.1 }])).toEqual({ found: [], missed: [truth[0]], falseFaces: [] });
  });

  it('counts a missed face that a false box overlaps by IoU 0.2-0.4 as a near miss', () => {
    const truth = [image({ faces: [{ left: 0.1, top: 0.1, width: 0.2, height: 0.2 }, { left: 0.6, top: 0.1, width: 0.2, height: 0.2 }] })];
    const face = (left: number, top: number) => ({
      boundingBox: { left, top, width: 0.2, height: 0.2 },
      confidence: 90,
      landmarks: [],
      pose: { roll: 0, yaw: 0, pitch: 0 },
      quality: { brightness: 50, sharpness: 50 },
    });
    // IoU 0.39 with the first face; nothing near the second.
    const score = scoreFaces(truth, [{ faces: [face(0.15, 0.15), face(0.1, 0.7)] }], noLatency);
    expect(score).toMatchObject({ truthFaces: 2, found: 0, falseFaces: 2, nearMisses: 1, falseFacesPer20Images: 40 });
  });

  it('scores labels: right if demanded or acceptable, absurd if listed, from confidence 50; calibration counts all', () => {
    const truth = [image({ labels: ['Person', 'Face'], acceptable: ['Tie'], absurd: ['Surfboard'] })];
    const label = (name: string, confidence: number) => ({ name, confidence, instances: [], parents: [], categories: [] });
    const score = scoreLabels(truth, [{ labels: [label('Person', 90), label('Tie', 70), label('Surfboard', 60), label('Face', 40)] }], noLatency);
    expect(score).toMatchObject({ returned: 3, right: 2, expected: 2, found: 1 });
    expect(score.absurd).toEqual([{ file: 'x.jpg', name: 'Surfboard', confidence: 60 }]);
    expect(score.calibration.find((bin) => bin.from === 0)).toMatchObject({ count: 1, right: 1 });
    expect(score.calibration.find((bin) => bin.from === 60)).toMatchObject({ count: 1, right: 0 });
  });

  it('scores compare by the best match, and text by words found', () => {
    const face = { boundingBox: { left: 0, top: 0, width: 1, height: 1 }, confidence: 99 };
    const compare = scoreCompare(
      [
        { a: 'a', b: 'b', same: true },
        { a: 'a', b: 'c', same: false },
        { a: 'a', b: 'd', same: true },
      ],
      [
        { sourceFace: face, matches: [{ similarity: 95, face }, { similarity: 20, face }], unmatchedFaces: [] },
        { sourceFace: face, matches: [{ similarity: 30, face }], unmatchedFaces: [] },
        { sourceFace: null, matches: [], unmatchedFaces: [] },
      ],
      noLatency,
    );
    expect(compare.same).toEqual({ count: 2, min: 0, median: 0 });
    expect(compare.different.max).toBe(30);
    const box = { left: 0, top: 0, width: 1, height: 1 };
    const text = scoreText([image({ text: ['Car Parks', 'car'] })], [{ text: [{ type: 'WORD', text: 'CAR', confidence: 90, boundingBox: box }, { type: 'WORD', text: 'parks.', confidence: 90, boundingBox: box }, { type: 'WORD', text: 'zz', confidence: 90, boundingBox: box }] }], noLatency);
    expect(text).toMatchObject({ truthWords: 3, found: 2, precision: 2 / 3 });
  });

  it('judges gates in their direction', () => {
    expect(meetsGate(CHECK_SET_GATES.faceRecall, 0.95)).toBe(true);
    expect(meetsGate(CHECK_SET_GATES.compareDifferentMax, 50)).toBe(false);
    expect(worseThan(CHECK_SET_GATES.faceRecall, 0.5, 0.52)).toBe(true);
    expect(worseThan(CHECK_SET_GATES.absurdLabels, 4, 5)).toBe(false);
  });
});
