import { faceLabels, labelConfidence, toLabelsResult } from './labels';
import { cocoLabelName as labelName } from './taxonomy';

type Raw = [number, number, number, number];

describe('labelName', () => {
  it('turns COCO classes into Title Case names', () => {
    expect(labelName('person')).toBe('Person');
    expect(labelName('cup')).toBe('Cup');
    expect(labelName('traffic light')).toBe('Traffic Light');
    expect(labelName('tv')).toBe('TV');
    expect(labelName('cell phone')).toBe('Mobile Phone');
  });
});

describe('toLabelsResult', () => {
  const objects = [
    { label: 'person', score: 0.6, boxRaw: [0.1, 0.1, 0.5, 0.8] as Raw },
    { label: 'person', score: 0.35, boxRaw: [0.7, 0.2, 0.2, 0.7] as Raw },
    { label: 'cup', score: 0.45, boxRaw: [0.8, 0.8, 0.3, 0.3] as Raw },
    { label: 'tie', score: 0.12, boxRaw: [0.4, 0.5, 0.1, 0.3] as Raw },
  ];
  const names = (labels: { name: string }[]) => labels.map((l) => l.name);

  it('groups instances per class, best first, with calibrated confidences and clamped ratio boxes', () => {
    const { labels } = toLabelsResult(objects, 640, 480, { maxLabels: 20, minConfidence: 50 });
    expect(labels.map((l) => [l.name, l.instances.length])).toEqual([
      ['Person', 2],
      ['Cup', 1],
    ]);
    expect(labels[0].confidence).toBe(labels[0].instances[0].confidence);
    expect(labels[0].confidence).toBeCloseTo(labelConfidence(0.6), 2);
    expect(labels[1].instances[0].boundingBox).toEqual({ left: 0.8, top: 0.8, width: 0.2, height: 0.2 });
    expect(labels[1]).toMatchObject({ parents: [], categories: [{ name: 'Kitchen and Dining' }] });
  });

  it('respects minConfidence and maxLabels after the taxonomy', () => {
    const loose = toLabelsResult(objects, 640, 480, { maxLabels: 20, minConfidence: 0 });
    expect(names(loose.labels)).toEqual(['Person', 'Cup', 'Accessories', 'Clothing', 'Formal Wear', 'Tie']);
    expect(names(toLabelsResult(objects, 640, 480, { maxLabels: 1, minConfidence: 0 }).labels)).toEqual(['Person']);
    expect(names(toLabelsResult(objects, 640, 480, { maxLabels: 3, minConfidence: 0 }).labels)).toEqual(['Person', 'Cup', 'Accessories']);
    const strict = toLabelsResult(objects, 640, 480, { maxLabels: 20, minConfidence: 85 });
    expect(strict.labels.map((l) => [l.name, l.instances.length])).toEqual([['Person', 1]]);
  });

  it("lists a label's ancestors as its parents and as labels of their own, at their best child's confidence", () => {
    const scene = [
      { label: 'cat', score: 0.5, boxRaw: [0.1, 0.1, 0.4, 0.4] as Raw },
      { label: 'dog', score: 0.7, boxRaw: [0.5, 0.5, 0.4, 0.4] as Raw },
      { label: 'car', score: 0.45, boxRaw: [0, 0.6, 0.3, 0.3] as Raw },
    ];
    const { labels } = toLabelsResult(scene, 640, 480, { maxLabels: 50, minConfidence: 50 });
    const byName = new Map(labels.map((l) => [l.name, l]));
    expect(byName.get('Cat')?.parents).toEqual([{ name: 'Pet' }, { name: 'Mammal' }, { name: 'Animal' }]);
    expect(byName.get('Cat')?.categories).toEqual([{ name: 'Animals and Pets' }]);
    expect(byName.get('Car')?.parents).toEqual([{ name: 'Vehicle' }, { name: 'Transportation' }]);
    for (const parent of ['Pet', 'Mammal', 'Animal']) {
      expect(byName.get(parent)).toMatchObject({ confidence: byName.get('Dog')?.confidence, instances: [] });
    }
    expect(byName.get('Vehicle')).toMatchObject({ confidence: byName.get('Car')?.confidence, parents: [{ name: 'Transportation' }], instances: [] });
    expect(byName.get('Transportation')?.parents).toEqual([]);
    for (const label of labels) for (const parent of label.parents) expect(byName.has(parent.name)).toBe(true);
  });

  it('adds Face, Head and Person from faces, even when the object model saw no person', () => {
    const faces = [{ box: { x: 200, y: 100, width: 160, height: 200 }, confidence: 97 }];
    const { labels } = toLabelsResult([{ label: 'surfboard', score: 0.35, boxRaw: [0, 0, 1, 1] }], 640, 480, { maxLabels: 20, minConfidence: 50 }, faces);
    const byName = new Map(labels.map((l) => [l.name, l]));
    expect(byName.get('Person')).toMatchObject({ confidence: 97, instances: [] });
    expect(byName.get('Face')?.parents).toEqual([{ name: 'Head' }, { name: 'Person' }]);
    expect(byName.get('Portrait')?.confidence).toBe(97);
    expect(names(labels).indexOf('Person')).toBeLessThan(names(labels).indexOf('Surfboard'));
    // At equal confidence the most general label first: a portrait is a Person before it is a Face.
    expect(names(labels).slice(0, 5)).toEqual(['Person', 'Photography', 'Head', 'Face', 'Portrait']);
  });

  it('maps the raw score monotonically, 0.3 to 50 %', () => {
    expect(labelConfidence(0.3)).toBe(50);
    expect(labelConfidence(0.2)).toBeLessThan(50);
    expect(labelConfidence(1)).toBe(100);
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
