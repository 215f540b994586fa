import { labelConfidence, labelName, toLabelsResult } from './labels';

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
    { label: 'person', score: 0.6, boxRaw: [0.1, 0.1, 0.5, 0.8] as [number, number, number, number] },
    { label: 'person', score: 0.35, boxRaw: [0.7, 0.2, 0.2, 0.7] as [number, number, number, number] },
    { label: 'cup', score: 0.45, boxRaw: [0.8, 0.8, 0.3, 0.3] as [number, number, number, number] },
    { label: 'tie', score: 0.12, boxRaw: [0.4, 0.5, 0.1, 0.3] as [number, number, number, number] },
  ];

  it('groups instances per class, best first, with calibrated confidences and clamped ratio boxes', () => {
    const { labels } = toLabelsResult(objects, 640, 480, { maxLabels: 20, minConfidence: 50 });
    expect(labels.map((l) => [l.name, l.instances.length])).toEqual([
      ['Person', 2],
      ['Cup', 1],
    ]);
    expect(labels[0].confidence).toBe(labels[0].instances[0].confidence);
    expect(labels[0].confidence).toBeCloseTo(labelConfidence(0.6), 2);
    expect(labels[1].instances[0].boundingBox).toEqual({ left: 0.8, top: 0.8, width: 0.2, height: 0.2 });
  });

  it('respects minConfidence and maxLabels', () => {
    expect(toLabelsResult(objects, 640, 480, { maxLabels: 20, minConfidence: 0 }).labels.map((l) => l.name)).toEqual(['Person', 'Cup', 'Tie']);
    expect(toLabelsResult(objects, 640, 480, { maxLabels: 1, minConfidence: 0 }).labels.map((l) => l.name)).toEqual(['Person']);
    const strict = toLabelsResult(objects, 640, 480, { maxLabels: 20, minConfidence: 85 });
    expect(strict.labels.map((l) => [l.name, l.instances.length])).toEqual([['Person', 1]]);
  });

  it('maps the raw score monotonically, 0.3 to 50 %', () => {
    expect(labelConfidence(0.3)).toBe(50);
    expect(labelConfidence(0.2)).toBeLessThan(50);
    expect(labelConfidence(1)).toBe(100);
  });
});
