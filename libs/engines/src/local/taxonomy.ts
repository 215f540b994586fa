/*
 * The local engine's label taxonomy, shaped like Rekognition's: every label has a Rekognition-style name,
 * direct parents (more general labels, which are labels of their own) and Rekognition's category names.
 * A label's `parents` in an answer are all its ancestors, nearest first (Cat: Pet, Mammal, Animal).
 *
 * The leaves are what the local models can see: the 80 COCO classes of the object model, and what the face
 * detector says by the count and size of faces (see faceLabels in labels.ts), and Text and Document from the text
 * detector (textLabels). Everything else here is a parent of those. Names and parents follow Rekognition's published label list where it has the label.
 */

export interface TaxonomyEntry {
  readonly parents: readonly string[];
  readonly categories: readonly string[];
}

const ANIMALS = 'Animals and Pets';
const VEHICLES = 'Vehicles and Automotive';
const PERSON = 'Person Description';
const FOOD = 'Food and Beverage';
const FURNITURE = 'Furniture and Furnishings';
const TECHNOLOGY = 'Technology and Computing';
const SPORTS = 'Sports';
const HOME = 'Home and Indoors';
const EVERYDAY = 'Everyday Objects';
const APPAREL = 'Apparel and Accessories';
const KITCHEN = 'Kitchen and Dining';
const TOOLS = 'Tools and Machinery';
const HOBBIES = 'Hobbies and Interests';
const TRAVEL = 'Travel and Adventure';
const PLANTS = 'Plants and Flowers';
const OUTDOORS = 'Nature and Outdoors';
const DOCUMENTS = 'Text and Documents';
const PUBLIC_SAFETY = 'Public Safety';

const entry = (parents: readonly string[], ...categories: string[]): TaxonomyEntry => ({ parents, categories });

/** The 80 COCO classes of the object model (its lower-case names) to their label name and place. */
export const COCO_LABELS: Readonly<Record<string, { readonly name: string } & TaxonomyEntry>> = {
  person: { name: 'Person', ...entry([], PERSON) },
  bicycle: { name: 'Bicycle', ...entry(['Vehicle'], VEHICLES, SPORTS) },
  car: { name: 'Car', ...entry(['Vehicle'], VEHICLES) },
  motorcycle: { name: 'Motorcycle', ...entry(['Vehicle'], VEHICLES) },
  airplane: { name: 'Airplane', ...entry(['Aircraft'], VEHICLES, TRAVEL) },
  bus: { name: 'Bus', ...entry(['Vehicle'], VEHICLES) },
  train: { name: 'Train', ...entry(['Vehicle'], VEHICLES) },
  truck: { name: 'Truck', ...entry(['Vehicle'], VEHICLES) },
  boat: { name: 'Boat', ...entry(['Watercraft'], VEHICLES) },
  'traffic light': { name: 'Traffic Light', ...entry(['Light'], VEHICLES, PUBLIC_SAFETY) },
  'fire hydrant': { name: 'Fire Hydrant', ...entry([], PUBLIC_SAFETY) },
  'stop sign': { name: 'Stop Sign', ...entry(['Road Sign'], PUBLIC_SAFETY, DOCUMENTS) },
  'parking meter': { name: 'Parking Meter', ...entry([], VEHICLES) },
  bench: { name: 'Bench', ...entry(['Furniture'], FURNITURE) },
  bird: { name: 'Bird', ...entry(['Animal'], ANIMALS) },
  cat: { name: 'Cat', ...entry(['Pet', 'Mammal'], ANIMALS) },
  dog: { name: 'Dog', ...entry(['Pet', 'Canine'], ANIMALS) },
  horse: { name: 'Horse', ...entry(['Mammal'], ANIMALS) },
  sheep: { name: 'Sheep', ...entry(['Livestock'], ANIMALS) },
  cow: { name: 'Cow', ...entry(['Cattle', 'Livestock'], ANIMALS) },
  elephant: { name: 'Elephant', ...entry(['Wildlife', 'Mammal'], ANIMALS) },
  bear: { name: 'Bear', ...entry(['Wildlife', 'Mammal'], ANIMALS) },
  zebra: { name: 'Zebra', ...entry(['Wildlife', 'Mammal'], ANIMALS) },
  giraffe: { name: 'Giraffe', ...entry(['Wildlife', 'Mammal'], ANIMALS) },
  backpack: { name: 'Backpack', ...entry(['Bag'], APPAREL) },
  umbrella: { name: 'Umbrella', ...entry(['Accessories'], APPAREL) },
  handbag: { name: 'Handbag', ...entry(['Bag'], APPAREL) },
  tie: { name: 'Tie', ...entry(['Formal Wear', 'Accessories'], APPAREL) },
  suitcase: { name: 'Suitcase', ...entry(['Baggage'], TRAVEL) },
  frisbee: { name: 'Frisbee', ...entry(['Toy'], SPORTS, HOBBIES) },
  skis: { name: 'Skis', ...entry(['Sports Equipment'], SPORTS) },
  snowboard: { name: 'Snowboard', ...entry(['Sports Equipment'], SPORTS) },
  'sports ball': { name: 'Ball', ...entry(['Sports Equipment'], SPORTS) },
  kite: { name: 'Kite', ...entry(['Toy'], HOBBIES) },
  'baseball bat': { name: 'Baseball Bat', ...entry(['Sports Equipment'], SPORTS) },
  'baseball glove': { name: 'Baseball Glove', ...entry(['Sports Equipment', 'Glove'], SPORTS) },
  skateboard: { name: 'Skateboard', ...entry(['Sports Equipment'], SPORTS) },
  surfboard: { name: 'Surfboard', ...entry(['Sports Equipment'], SPORTS) },
  'tennis racket': { name: 'Racket', ...entry(['Sports Equipment'], SPORTS) },
  bottle: { name: 'Bottle', ...entry([], EVERYDAY, FOOD) },
  'wine glass': { name: 'Wine Glass', ...entry(['Glass'], KITCHEN, FOOD) },
  cup: { name: 'Cup', ...entry([], KITCHEN) },
  fork: { name: 'Fork', ...entry(['Cutlery'], KITCHEN) },
  knife: { name: 'Knife', ...entry(['Cutlery'], KITCHEN) },
  spoon: { name: 'Spoon', ...entry(['Cutlery'], KITCHEN) },
  bowl: { name: 'Bowl', ...entry([], KITCHEN) },
  banana: { name: 'Banana', ...entry(['Fruit'], FOOD) },
  apple: { name: 'Apple', ...entry(['Fruit'], FOOD) },
  sandwich: { name: 'Sandwich', ...entry(['Food'], FOOD) },
  orange: { name: 'Orange', ...entry(['Citrus Fruit'], FOOD) },
  broccoli: { name: 'Broccoli', ...entry(['Vegetable'], FOOD) },
  carrot: { name: 'Carrot', ...entry(['Vegetable'], FOOD) },
  'hot dog': { name: 'Hot Dog', ...entry(['Food'], FOOD) },
  pizza: { name: 'Pizza', ...entry(['Food'], FOOD) },
  donut: { name: 'Donut', ...entry(['Sweets'], FOOD) },
  cake: { name: 'Cake', ...entry(['Dessert'], FOOD) },
  chair: { name: 'Chair', ...entry(['Furniture'], FURNITURE) },
  couch: { name: 'Couch', ...entry(['Furniture'], FURNITURE) },
  'potted plant': { name: 'Potted Plant', ...entry(['Plant'], PLANTS) },
  bed: { name: 'Bed', ...entry(['Furniture'], FURNITURE) },
  'dining table': { name: 'Dining Table', ...entry(['Table'], FURNITURE, KITCHEN) },
  toilet: { name: 'Toilet', ...entry(['Bathroom'], HOME) },
  tv: { name: 'TV', ...entry(['Screen', 'Electronics'], TECHNOLOGY) },
  laptop: { name: 'Laptop', ...entry(['Computer'], TECHNOLOGY) },
  mouse: { name: 'Computer Mouse', ...entry(['Computer Hardware'], TECHNOLOGY) },
  remote: { name: 'Remote Control', ...entry(['Electronics'], TECHNOLOGY) },
  keyboard: { name: 'Computer Keyboard', ...entry(['Computer Hardware'], TECHNOLOGY) },
  'cell phone': { name: 'Mobile Phone', ...entry(['Phone'], TECHNOLOGY) },
  microwave: { name: 'Microwave', ...entry(['Appliance'], KITCHEN, HOME) },
  oven: { name: 'Oven', ...entry(['Appliance'], KITCHEN, HOME) },
  toaster: { name: 'Toaster', ...entry(['Appliance'], KITCHEN, HOME) },
  sink: { name: 'Sink', ...entry([], HOME, KITCHEN) },
  refrigerator: { name: 'Refrigerator', ...entry(['Appliance'], KITCHEN, HOME) },
  book: { name: 'Book', ...entry(['Publication'], DOCUMENTS, EVERYDAY) },
  clock: { name: 'Clock', ...entry([], EVERYDAY, HOME) },
  vase: { name: 'Vase', ...entry(['Pottery'], HOME) },
  scissors: { name: 'Scissors', ...entry(['Tool'], TOOLS, EVERYDAY) },
  'teddy bear': { name: 'Teddy Bear', ...entry(['Toy'], HOBBIES) },
  'hair drier': { name: 'Hair Dryer', ...entry(['Appliance'], HOME) },
  toothbrush: { name: 'Toothbrush', ...entry(['Brush'], EVERYDAY, HOME) },
};

/** Labels from the face detector (see faceLabels in labels.ts). */
export const FACE_LABELS: Readonly<Record<'Face' | 'Head' | 'Portrait' | 'Selfie' | 'Crowd', TaxonomyEntry>> = {
  Face: entry(['Head'], PERSON),
  Head: entry(['Person'], PERSON),
  Portrait: entry(['Face', 'Photography'], PERSON),
  Selfie: entry(['Face', 'Photography'], PERSON),
  Crowd: entry(['Person'], PERSON),
};

/** Labels from the text detector (see textLabels in labels.ts). */
export const TEXT_LABELS: Readonly<Record<'Text' | 'Document', TaxonomyEntry>> = {
  Text: entry([], DOCUMENTS),
  Document: entry(['Text'], DOCUMENTS),
};

/** The parents themselves: labels that no model sees directly, named when a child is seen. */
export const PARENT_LABELS: Readonly<Record<string, TaxonomyEntry>> = {
  Animal: entry([], ANIMALS),
  Mammal: entry(['Animal'], ANIMALS),
  Pet: entry(['Animal'], ANIMALS),
  Canine: entry(['Mammal'], ANIMALS),
  Wildlife: entry(['Animal'], ANIMALS, OUTDOORS),
  Livestock: entry(['Mammal'], ANIMALS),
  Cattle: entry(['Livestock'], ANIMALS),
  Transportation: entry([], VEHICLES),
  Vehicle: entry(['Transportation'], VEHICLES),
  Aircraft: entry(['Vehicle'], VEHICLES),
  Watercraft: entry(['Vehicle'], VEHICLES),
  Light: entry([], EVERYDAY),
  'Road Sign': entry(['Sign', 'Symbol'], PUBLIC_SAFETY, DOCUMENTS),
  Sign: entry(['Symbol'], DOCUMENTS),
  Symbol: entry([], DOCUMENTS),
  Furniture: entry([], FURNITURE),
  Table: entry(['Furniture'], FURNITURE),
  Accessories: entry([], APPAREL),
  Bag: entry(['Accessories'], APPAREL),
  Baggage: entry([], TRAVEL),
  'Formal Wear': entry(['Clothing'], APPAREL),
  Clothing: entry([], APPAREL),
  Glove: entry(['Clothing'], APPAREL),
  Toy: entry([], HOBBIES),
  'Sports Equipment': entry(['Sport'], SPORTS),
  Sport: entry([], SPORTS),
  Glass: entry([], KITCHEN),
  Cutlery: entry([], KITCHEN),
  Food: entry([], FOOD),
  Fruit: entry(['Produce', 'Plant', 'Food'], FOOD),
  'Citrus Fruit': entry(['Fruit'], FOOD),
  Vegetable: entry(['Produce', 'Plant', 'Food'], FOOD),
  Produce: entry(['Food'], FOOD),
  Sweets: entry(['Food'], FOOD),
  Dessert: entry(['Food'], FOOD),
  Plant: entry([], PLANTS),
  Bathroom: entry(['Room', 'Indoors'], HOME),
  Room: entry(['Indoors'], HOME),
  Indoors: entry([], HOME),
  Electronics: entry([], TECHNOLOGY),
  Screen: entry(['Electronics'], TECHNOLOGY),
  Computer: entry(['Electronics'], TECHNOLOGY),
  'Computer Hardware': entry(['Hardware', 'Electronics'], TECHNOLOGY),
  Hardware: entry([], TECHNOLOGY),
  Phone: entry(['Electronics'], TECHNOLOGY),
  Appliance: entry(['Device', 'Electrical Device'], HOME),
  Device: entry([], TECHNOLOGY),
  'Electrical Device': entry(['Device'], TECHNOLOGY),
  Publication: entry([], DOCUMENTS),
  Pottery: entry(['Art'], HOME, HOBBIES),
  Art: entry([], HOBBIES),
  Tool: entry([], TOOLS),
  Brush: entry(['Tool'], TOOLS),
  Photography: entry([], HOBBIES),
};

/** Every label by name, leaves and parents alike. */
const ALL: ReadonlyMap<string, TaxonomyEntry> = new Map<string, TaxonomyEntry>([
  ...Object.values(COCO_LABELS).map(({ name, parents, categories }) => [name, { parents, categories }] as const),
  ...Object.entries(FACE_LABELS),
  ...Object.entries(TEXT_LABELS),
  ...Object.entries(PARENT_LABELS),
]);

export function taxonomyEntry(name: string): TaxonomyEntry | undefined {
  return ALL.get(name);
}

export function allLabelNames(): string[] {
  return [...ALL.keys()];
}

/** The label name of a COCO class; unknown classes in Title Case. */
export function cocoLabelName(cocoClass: string): string {
  return COCO_LABELS[cocoClass]?.name ?? cocoClass.replace(/\b\p{L}/gu, (c) => c.toUpperCase());
}

/** Every ancestor of a label, nearest first (breadth first), each once. */
export function ancestors(name: string): string[] {
  const found: string[] = [];
  const queue = [...(ALL.get(name)?.parents ?? [])];
  while (queue.length > 0) {
    const next = queue.shift() as string;
    if (found.includes(next) || next === name) continue;
    found.push(next);
    queue.push(...(ALL.get(next)?.parents ?? []));
  }
  return found;
}

export function categories(name: string): string[] {
  return [...(ALL.get(name)?.categories ?? [])];
}

/** Other names for a label, as Rekognition's DetectLabels lists them in `Aliases`. */
export const LABEL_ALIASES: Readonly<Record<string, readonly string[]>> = {
  Person: ['Human'],
  Car: ['Automobile'],
  Airplane: ['Aeroplane', 'Airliner'],
  Motorcycle: ['Motorbike'],
  Bicycle: ['Bike'],
  Couch: ['Sofa'],
  TV: ['Television'],
  'Mobile Phone': ['Cell Phone'],
  Donut: ['Doughnut'],
  'Dining Table': ['Dining Room Table'],
  'Hair Dryer': ['Blow Dryer'],
  Racket: ['Tennis Racket'],
  Ball: ['Sports Ball'],
};
