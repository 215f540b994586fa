import type { TextDetectResult } from '@nomosly/contracts';
import { percent } from './geometry';
import type { HumanObject } from './human';
import {
  animalConfidence,
  faceLabels,
  objectConfidence,
  objectsSeen,
  textConfidence,
  textLabels,
  toLabelsResult,
  wantsSecondOpinion,
  type SeenObject,
} from './labels';
import { cocoLabelName as labelName } from './taxonomy';

type Raw = [number, number, number, number];
const detection = (label: string, score: number, boxRaw: Raw): HumanObject => ({ label, score, boxRaw });
const seen = (cocoClass: string, confidence: number, [x, y, width, height]: Raw): SeenObject => ({ cocoClass, confidence, box: { x, y, width, height } });
const names = (labels: { name: string }[]) => labels.map((l) => l.name);

describe('labelName', () => {
  it('turns COCO classes into Title Case names', () => {
    expect(labelName('person')).toBe('Person');
    expect(labelName('traffic light')).toBe('Traffic Light');
    expect(labelName('tv')).toBe('TV');
    expect(labelName('cell phone')).toBe('Mobile Phone');
  });
});

describe('calibration', () => {
  it('maps each source monotonically to 0..100, 50 where the tuning images were right half the time', () => {
    expect(objectConfidence(0.36)).toBe(50);
    expect(animalConfidence(0.35)).toBe(50);
    expect(textConfidence(80)).toBe(50);
    for (const map of [objectConfidence, animalConfidence]) {
      const values = [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.7, 1].map(map);
      expect([...values].sort((a, b) => a - b)).toEqual(values);
      expect(values[values.length - 1]).toBeLessThanOrEqual(100);
    }
    expect(objectConfidence(0.25)).toBeLessThan(20);
  });
});

describe('objectsSeen', () => {
  it('keeps one detection per object and class, drops raw scores under 0.1, and calibrates the rest', () => {
    const objects = objectsSeen([
      detection('person', 0.7, [0.1, 0.1, 0.5, 0.8]),
      detection('person', 0.4, [0.12, 0.1, 0.5, 0.8]),
      detection('tie', 0.37, [0.3, 0.5, 0.1, 0.3]),
      detection('cup', 0.08, [0.8, 0.8, 0.1, 0.1]),
    ]);
    expect(objects.map((o) => [o.cocoClass, o.confidence])).toEqual([
      ['person', percent(objectConfidence(0.7))],
      ['tie', percent(objectConfidence(0.37))],
    ]);
  });

  it('asks for a second opinion only when nanodet sees an animal at 0.1 or more', () => {
    expect(wantsSecondOpinion([detection('cat', 0.17, [0, 0, 1, 1])])).toBe(true);
    expect(wantsSecondOpinion([detection('cat', 0.05, [0, 0, 1, 1]), detection('person', 0.9, [0, 0, 1, 1])])).toBe(false);
  });

  it('names the species both models name: nanodet cat 0.17 beats CenterNet dog 0.47 when CenterNet also says cat', () => {
    const nanodet = [detection('mouse', 0.31, [0.6, 0.4, 0.1, 0.2]), detection('cat', 0.17, [0, 0.03, 1, 0.94])];
    const centernet = [detection('dog', 0.47, [0, 0.02, 0.94, 0.98]), detection('cat', 0.07, [0, 0.05, 0.9, 0.9]), detection('bird', 0.03, [0.1, 0.1, 0.1, 0.1])];
    const objects = objectsSeen(nanodet, centernet);
    const animals = objects.filter((o) => ['cat', 'dog', 'bird'].includes(o.cocoClass));
    expect(animals).toEqual([{ cocoClass: 'cat', confidence: expect.any(Number), box: { x: 0, y: 0.03, width: 1, height: 0.94 } }]);
    // There is an animal: CenterNet's animal scores in the region add up to 0.57.
    expect(animals[0].confidence).toBeCloseTo(animalConfidence(0.57), 1);
    expect(objects.find((o) => o.cocoClass === 'mouse')?.confidence).toBeCloseTo(objectConfidence(0.31), 2);
  });

  it('halves the confidence of an animal the second opinion does not confirm, and reports a dog both models see', () => {
    const lone = objectsSeen([detection('dog', 0.6, [0.1, 0.1, 0.5, 0.5])], [detection('horse', 0.3, [0.1, 0.1, 0.5, 0.5])]);
    expect(lone).toEqual([{ cocoClass: 'dog', confidence: percent(objectConfidence(0.6) / 2), box: { x: 0.1, y: 0.1, width: 0.5, height: 0.5 } }]);
    const dog = objectsSeen([detection('dog', 0.6, [0.1, 0.1, 0.5, 0.5])], [detection('dog', 0.5, [0.12, 0.1, 0.5, 0.5])]);
    expect(dog.map((o) => o.cocoClass)).toEqual(['dog']);
    expect(dog[0].confidence).toBe(percent(animalConfidence(0.6)));
  });

  it('reports animals as other objects without a second opinion', () => {
    expect(objectsSeen([detection('dog', 0.6, [0.1, 0.1, 0.5, 0.5])]).map((o) => [o.cocoClass, o.confidence])).toEqual([['dog', percent(objectConfidence(0.6))]]);
  });
});

describe('toLabelsResult', () => {
  const objects = [
    seen('person', 92, [0.1, 0.1, 0.5, 0.8]),
    seen('person', 60, [0.7, 0.2, 0.2, 0.7]),
    seen('cup', 80, [0.8, 0.8, 0.3, 0.3]),
    seen('tie', 4, [0.4, 0.5, 0.1, 0.3]),
  ];

  it('groups instances per class, best first, with clamped ratio boxes', () => {
    const { labels } = toLabelsResult({ objects }, 640, 480, { maxLabels: 20, minConfidence: 50 });
    expect(labels.map((l) => [l.name, l.instances.length])).toEqual([
      ['Person', 2],
      ['Cup', 1],
    ]);
    expect(labels[0].confidence).toBe(92);
    expect(labels[1].instances[0].boundingBox).toEqual({ left: 0.8, top: 0.8, width: 0.2, height: 0.2 });
    expect(labels[1]).toMatchObject({ parents: [], categories: [{ name: 'Kitchen and Dining' }] });
  });

  it('respects minConfidence and maxLabels after the taxonomy', () => {
    const loose = toLabelsResult({ objects }, 640, 480, { maxLabels: 20, minConfidence: 0 });
    expect(names(loose.labels)).toEqual(['Person', 'Cup', 'Accessories', 'Clothing', 'Formal Wear', 'Tie']);
    expect(names(toLabelsResult({ objects }, 640, 480, { maxLabels: 1, minConfidence: 0 }).labels)).toEqual(['Person']);
    expect(names(toLabelsResult({ objects }, 640, 480, { maxLabels: 3, minConfidence: 0 }).labels)).toEqual(['Person', 'Cup', 'Accessories']);
    const strict = toLabelsResult({ objects }, 640, 480, { maxLabels: 20, minConfidence: 85 });
    expect(strict.labels.map((l) => [l.name, l.instances.length])).toEqual([['Person', 1]]);
  });

  it("lists a label's ancestors as its parents and as labels of their own, at their best child's confidence", () => {
    const scene = [seen('cat', 70, [0.1, 0.1, 0.4, 0.4]), seen('dog', 90, [0.5, 0.5, 0.4, 0.4]), seen('car', 80, [0, 0.6, 0.3, 0.3])];
    const { labels } = toLabelsResult({ objects: scene }, 640, 480, { maxLabels: 50, minConfidence: 50 });
    const byName = new Map(labels.map((l) => [l.name, l]));
    expect(byName.get('Cat')?.parents).toEqual([{ name: 'Pet' }, { name: 'Mammal' }, { name: 'Animal' }]);
    expect(byName.get('Car')?.parents).toEqual([{ name: 'Vehicle' }, { name: 'Transportation' }]);
    for (const parent of ['Pet', 'Mammal', 'Animal']) expect(byName.get(parent)).toMatchObject({ confidence: 90, instances: [] });
    expect(byName.get('Vehicle')).toMatchObject({ confidence: 80, parents: [{ name: 'Transportation' }], instances: [] });
    for (const label of labels) for (const parent of label.parents) expect(byName.has(parent.name)).toBe(true);
  });

  it('adds Face, Head and Person from faces, even when the object model saw no person', () => {
    const faces = [{ box: { x: 200, y: 100, width: 160, height: 200 }, confidence: 97 }];
    const { labels } = toLabelsResult({ objects: [seen('surfboard', 60, [0, 0, 1, 1])], faces }, 640, 480, { maxLabels: 20, minConfidence: 50 });
    const byName = new Map(labels.map((l) => [l.name, l]));
    expect(byName.get('Person')).toMatchObject({ confidence: 97, instances: [] });
    expect(byName.get('Face')?.parents).toEqual([{ name: 'Head' }, { name: 'Person' }]);
    expect(byName.get('Portrait')?.confidence).toBe(97);
    // At equal confidence the most general label first: a portrait is a Person before it is a Face.
    expect(names(labels).slice(0, 5)).toEqual(['Person', 'Photography', 'Head', 'Face', 'Portrait']);
  });

  it('adds Text and Document from the text detector, Document under Text', () => {
    const { labels } = toLabelsResult({ objects: [], text: page(3, 0.3, 95) }, 640, 480, { maxLabels: 20, minConfidence: 50 });
    expect(labels.map((l) => [l.name, l.parents.map((p) => p.name)])).toEqual([
      ['Text', []],
      ['Document', ['Text']],
    ]);
  });
});

/** `lines` lines of "Hello world", spread to cover `coverage` of the image, words at `confidence`. */
function page(lines: number, coverage: number, confidence: number): TextDetectResult['text'] {
  const height = coverage / lines;
  const box = (i: number) => ({ left: 0, top: i * height, width: 1, height });
  return [
    ...Array.from({ length: lines }, (_, i) => ({ type: 'LINE' as const, text: 'Hello world', confidence, boundingBox: box(i) })),
    ...Array.from({ length: lines }, (_, i) => [
      { type: 'WORD' as const, text: 'Hello', confidence, boundingBox: box(i) },
      { type: 'WORD' as const, text: 'world', confidence, boundingBox: box(i) },
    ]).flat(),
  ];
}

describe('textLabels', () => {
  it('says Text for a few clear words, Document only for several lines covering much of the image', () => {
    expect([...textLabels(page(1, 0.05, 95))]).toEqual([['Text', textConfidence(95)]]);
    expect([...textLabels(page(3, 0.05, 95)).keys()]).toEqual(['Text']);
    expect([...textLabels(page(3, 0.2, 95)).keys()]).toEqual(['Text', 'Document']);
    expect([...textLabels(page(2, 0.5, 95)).keys()]).toEqual(['Text']);
  });

  it('says nothing for no text or a stray character', () => {
    expect(textLabels([]).size).toBe(0);
    const stray = [{ type: 'WORD' as const, text: 'a', confidence: 90, boundingBox: { left: 0, top: 0, width: 0.1, height: 0.1 } }];
    expect(textLabels(stray).size).toBe(0);
  });
});

describe('faceLabels', () => {
  const face = (x: number, size: number, confidence = 95) => ({ box: { x, y: 10, width: size, height: size }, confidence });

  it('says nothing without faces', () => {
    expect(faceLabels([], 640, 480).size).toBe(0);
  });

  it('calls one large face a Portrait and a Selfie (less sure), a small one neither', () => {
    expect([...faceLabels([face(100, 300)], 640, 480)]).toEqual([
      ['Face', 95],
      ['Portrait', 95],
      ['Selfie', 57],
    ]);
    expect([...faceLabels([face(100, 40)], 640, 480).keys()]).toEqual(['Face']);
  });

  it('calls six faces or more a Crowd, at the sixth best confidence, and no Portrait', () => {
    const crowd = [90, 80, 99, 70, 85, 60, 75].map((confidence, i) => face(i * 80, 60, confidence));
    const labels = faceLabels(crowd, 640, 480);
    expect(labels.get('Crowd')).toBe(70);
    expect(labels.get('Face')).toBe(99);
    expect(labels.has('Portrait')).toBe(false);
  });
});
