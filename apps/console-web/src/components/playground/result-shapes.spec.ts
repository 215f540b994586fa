import { describe, expect, it } from '@jest/globals';
import { type BoxShape, drawingOf } from './result-shapes';

const box = { left: 0.1, top: 0.2, width: 0.3, height: 0.4 };
const boxes = (shapes: Array<{ kind: string }>) => shapes.filter((shape): shape is BoxShape => shape.kind === 'box');

describe('what the playground draws for each operation (API.md bodies)', () => {
  it('faces.detect: a box per face and a point per landmark', () => {
    const drawing = drawingOf('faces.detect', {
      faces: [
        { boundingBox: box, confidence: 99.61, landmarks: [{ type: 'eyeLeft', x: 0.2, y: 0.3 }, { type: 'nose', x: 0.25, y: 0.4 }], pose: {}, quality: {} },
      ],
    });
    expect(drawing.first).toEqual([
      { kind: 'box', box, tone: 'face', name: 'face, 99.6 % confident', caption: '99.6 %' },
      { kind: 'point', x: 0.2, y: 0.3, name: 'eyeLeft' },
      { kind: 'point', x: 0.25, y: 0.4, name: 'nose' },
    ]);
    expect(drawing.second).toBeUndefined();
    expect(drawing.summary).toBe('1 face found, with 2 landmarks.');
  });

  it('faces.compare: the source face on the first image, matches and the other faces on the second', () => {
    const drawing = drawingOf('faces.compare', {
      sourceFace: { boundingBox: box, confidence: 99 },
      matches: [{ similarity: 97.25, face: { boundingBox: box, confidence: 99 } }],
      unmatchedFaces: [{ boundingBox: box, confidence: 98 }, { boundingBox: box, confidence: 97 }],
    });
    expect(boxes(drawing.first).map((shape) => shape.tone)).toEqual(['face']);
    expect(boxes(drawing.second ?? []).map((shape) => [shape.tone, shape.caption])).toEqual([
      ['match', 'match 97.3 %'],
      ['unmatched', 'no match'],
      ['unmatched', 'no match'],
    ]);
    expect(drawing.summary).toBe('A face was found in the first image; the second image has 1 match and 2 other faces.');
    expect(drawingOf('faces.compare', { sourceFace: null, matches: [], unmatchedFaces: [] }).first).toEqual([]);
  });

  it("labels.detect: a named box per instance; a label that names the whole image has none", () => {
    const drawing = drawingOf('labels.detect', {
      labels: [
        { name: 'Cup', confidence: 90, instances: [{ boundingBox: box, confidence: 88.04 }], parents: [], categories: [] },
        { name: 'Indoors', confidence: 80, instances: [], parents: [], categories: [] },
      ],
    });
    expect(drawing.first).toEqual([{ kind: 'box', box, tone: 'label', name: 'label Cup 88.0 %', caption: 'Cup 88.0 %' }]);
    expect(drawing.summary).toBe('2 labels (Cup, Indoors), 1 box drawn.');
  });

  it('text.detect: lines captioned with their text, words boxed beneath them', () => {
    const drawing = drawingOf('text.detect', {
      text: [
        { type: 'LINE', text: 'Hello world', confidence: 99, boundingBox: box },
        { type: 'WORD', text: 'Hello', confidence: 99, boundingBox: box },
        { type: 'WORD', text: 'world', confidence: 98, boundingBox: box },
      ],
    });
    expect(boxes(drawing.first).map((shape) => [shape.tone, shape.name, shape.caption])).toEqual([
      ['word', 'word "Hello"', undefined],
      ['word', 'word "world"', undefined],
      ['line', 'line "Hello world"', 'Hello world'],
    ]);
    expect(drawing.summary).toBe('1 line and 2 words of text found.');
  });
});
