import { COCO_LABELS, FACE_LABELS, PARENT_LABELS, allLabelNames, ancestors, categories, cocoLabelName, taxonomyEntry } from './taxonomy';

/** Rekognition's category names (its label taxonomy); a label's categories are some of these. */
const REKOGNITION_CATEGORIES = new Set([
  'Animals and Pets',
  'Vehicles and Automotive',
  'Person Description',
  'Food and Beverage',
  'Furniture and Furnishings',
  'Technology and Computing',
  'Sports',
  'Home and Indoors',
  'Everyday Objects',
  'Apparel and Accessories',
  'Kitchen and Dining',
  'Tools and Machinery',
  'Hobbies and Interests',
  'Travel and Adventure',
  'Plants and Flowers',
  'Nature and Outdoors',
  'Text and Documents',
  'Public Safety',
]);

describe('label taxonomy', () => {
  it('covers all 80 COCO classes, each with its own name', () => {
    expect(Object.keys(COCO_LABELS)).toHaveLength(80);
    const names = Object.values(COCO_LABELS).map((l) => l.name);
    expect(new Set(names).size).toBe(80);
    for (const name of names) expect(name).toMatch(/^[A-Z][A-Za-z]*( [A-Z][A-Za-z]*)*$|^TV$/);
  });

  it('names a parent only when it is a label of its own, with no cycles', () => {
    for (const name of allLabelNames()) {
      for (const parent of taxonomyEntry(name)?.parents ?? []) expect({ name, parent, known: taxonomyEntry(parent) !== undefined }).toEqual({ name, parent, known: true });
      expect(ancestors(name)).not.toContain(name);
    }
  });

  it("gives every label at least one of Rekognition's categories", () => {
    for (const name of allLabelNames()) {
      expect(categories(name).length).toBeGreaterThan(0);
      for (const category of categories(name)) expect(REKOGNITION_CATEGORIES).toContain(category);
    }
  });

  it('leaves no parent label unused', () => {
    const used = new Set(allLabelNames().flatMap((name) => ancestors(name)));
    for (const parent of Object.keys(PARENT_LABELS)) expect({ parent, used: used.has(parent) }).toEqual({ parent, used: true });
  });

  it('lists ancestors as Rekognition does: Cat -> Pet, Mammal, Animal; Car -> Vehicle, Transportation', () => {
    expect(ancestors('Cat')).toEqual(['Pet', 'Mammal', 'Animal']);
    expect(ancestors('Car')).toEqual(['Vehicle', 'Transportation']);
    expect(ancestors('Dog')).toEqual(['Pet', 'Canine', 'Animal', 'Mammal']);
    expect(ancestors('Portrait')).toEqual(['Face', 'Photography', 'Head', 'Person']);
    expect(ancestors('Person')).toEqual([]);
    expect(categories('Cat')).toEqual(['Animals and Pets']);
    expect(categories('Car')).toEqual(['Vehicles and Automotive']);
    expect(Object.keys(FACE_LABELS)).toEqual(['Face', 'Head', 'Portrait', 'Selfie', 'Crowd']);
  });

  it('turns COCO classes into label names', () => {
    expect(cocoLabelName('person')).toBe('Person');
    expect(cocoLabelName('traffic light')).toBe('Traffic Light');
    expect(cocoLabelName('tv')).toBe('TV');
    expect(cocoLabelName('cell phone')).toBe('Mobile Phone');
    expect(cocoLabelName('sports ball')).toBe('Ball');
    expect(cocoLabelName('something new')).toBe('Something New');
  });
});
