import path from 'node:path';
import sharp from 'sharp';
import type * as TfModule from '@tensorflow/tfjs';
import {
  facesCompareResultSchema,
  facesDetectResultSchema,
  labelsDetectResultSchema,
  textDetectResultSchema,
  type BoundingBox,
  type DetectedFace,
} from '@nomosly/contracts';
import type { EncodedImage } from '@nomosly/images';
import { EngineUnavailableError } from '../engine';
import { testImage } from '../testing-image';
import { LocalEngine } from './local-engine';
import { MIN_WORD_CONFIDENCE } from './text';

const FIXTURES = path.resolve(__dirname, '../../../testing/fixtures/images');
const fixture = (name: string): string => path.join(FIXTURES, name);

/** Printed text on a light card, pasted onto a photo (the fixture text.png is handwriting in perspective). */
async function textOnPhoto(): Promise<Buffer> {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="400" height="125">
    <rect width="100%" height="100%" fill="#ffffff"/>
    <text x="14" y="46" font-family="DejaVu Sans, sans-serif" font-size="23">Privacy first vision API</text>
    <text x="14" y="94" font-family="DejaVu Serif, serif" font-size="19">The quick brown fox jumps 2024</text>
  </svg>`;
  const card = await sharp(Buffer.from(svg)).flatten({ background: '#ffffff' }).png().toBuffer();
  const stats = await sharp(card).stats();
  if (stats.channels[0].min > 100) throw new Error('SVG text rendered blank: are fonts (fonts-dejavu-core) installed?');
  return sharp(fixture('coffee.png')).composite([{ input: card, left: 10, top: 10 }]).png().toBuffer();
}

/** The three portraits side by side, each 400 px high: the photo on which CenterNet saw surfboards. */
async function threePortraits(): Promise<Buffer> {
  const parts = await Promise.all(
    ['astronaut.png', 'camera.png', 'grace_hopper.jpg'].map((name) =>
      sharp(fixture(name)).resize({ height: 400 }).toColourspace('srgb').png().toBuffer({ resolveWithObject: true }),
    ),
  );
  let left = 0;
  const layers = parts.map(({ data, info }) => {
    const layer = { input: data, left, top: 0 };
    left += info.width;
    return layer;
  });
  return sharp({ create: { width: left, height: 400, channels: 3, background: '#ffffff' } }).composite(layers).jpeg().toBuffer();
}

function expectSaneFace(face: DetectedFace): void {
  const box = face.boundingBox;
  expect(face.confidence).toBeGreaterThanOrEqual(50);
  expect(box.width).toBeGreaterThan(0.05);
  expect(box.height).toBeGreaterThan(0.05);
  expect(box.width).toBeLessThan(0.9);
  expect(box.height).toBeLessThan(0.9);
  expect(box.left + box.width).toBeLessThanOrEqual(1);
  expect(box.top + box.height).toBeLessThanOrEqual(1);
  expect(face.landmarks.map((l) => l.type)).toEqual(['eyeLeft', 'eyeRight', 'nose', 'mouthLeft', 'mouthRight']);
  const at = Object.fromEntries(face.landmarks.map((l) => [l.type, l]));
  for (const point of face.landmarks) {
    // Every landmark inside the face box.
    expect(point.x).toBeGreaterThanOrEqual(box.left);
    expect(point.x).toBeLessThanOrEqual(box.left + box.width);
    expect(point.y).toBeGreaterThanOrEqual(box.top);
    expect(point.y).toBeLessThanOrEqual(box.top + box.height);
  }
  expect(at['eyeLeft'].x).toBeLessThan(at['eyeRight'].x);
  expect(at['mouthLeft'].x).toBeLessThan(at['mouthRight'].x);
  expect(Math.max(at['eyeLeft'].y, at['eyeRight'].y)).toBeLessThan(at['nose'].y);
  expect(at['nose'].y).toBeLessThan(Math.min(at['mouthLeft'].y, at['mouthRight'].y));
}

const contains = (outer: BoundingBox, x: number, y: number): boolean =>
  x >= outer.left && x <= outer.left + outer.width && y >= outer.top && y <= outer.top + outer.height;

describe('LocalEngine', () => {
  const engine = new LocalEngine();
  const images: Record<string, EncodedImage> = {};
  let tf: typeof TfModule;

  beforeAll(async () => {
    await engine.start();
    tf = await import('@tensorflow/tfjs');
    for (const name of ['astronaut.png', 'camera.png', 'grace_hopper.jpg', 'coffee.png', 'rocket.jpg', 'chelsea.png', 'text.png']) {
      images[name] = await testImage(fixture(name));
    }
    images['grace_hopper.flop'] = await testImage(fixture('grace_hopper.jpg'), (s) => s.flop());
    images['chelsea.flop'] = await testImage(fixture('chelsea.png'), (s) => s.flop());
    images['text-on-photo'] = await testImage(await textOnPhoto());
    images['printed_text.png'] = await testImage(fixture('printed_text.png'));
    images['three-portraits'] = await testImage(await threePortraits());
    // face-api's nets, BlazeFace, nanodet, CenterNet and tesseract load and warm up: over a minute on a loaded 2-core machine.
  }, 180_000);

  afterAll(() => engine.stop());

  it('starts once: a second start() is a no-op', async () => {
    await expect(engine.start()).resolves.toBeUndefined();
  });

  describe('detectFaces', () => {
    it.each(['astronaut.png', 'camera.png', 'grace_hopper.jpg'])('finds exactly one face on %s', async (name) => {
      const result = facesDetectResultSchema.parse(await engine.detectFaces(images[name]));
      expect(result.faces).toHaveLength(1);
      expectSaneFace(result.faces[0]);
    });

    it('puts the box where the face is', async () => {
      const { faces } = await engine.detectFaces(images['astronaut.png']);
      // Eileen Collins' face: centre around (0.43, 0.25) of the 512 x 512 portrait.
      expect(contains(faces[0].boundingBox, 0.43, 0.25)).toBe(true);
      expect(faces[0].boundingBox.width).toBeLessThan(0.4);
    });

    it.each(['coffee.png', 'rocket.jpg', 'chelsea.png', 'chelsea.flop', 'text.png'])('finds no face on %s', async (name) => {
      expect((await engine.detectFaces(images[name])).faces).toEqual([]);
    });

    it('finds a face in profile, turned either way, with its yaw', async () => {
      // The cameraman looks into his camera, his face turned some 60 degrees towards the image's right.
      const [right] = facesDetectResultSchema.parse(await engine.detectFaces(images['camera.png'])).faces;
      expect(contains(right.boundingBox, 0.42, 0.33)).toBe(true);
      expect(right.pose.yaw).toBeGreaterThan(25);
      const left = await engine.detectFaces(await testImage(fixture('camera.png'), (s) => s.flop()));
      expect(left.faces).toHaveLength(1);
      expectSaneFace(left.faces[0]);
      expect(contains(left.faces[0].boundingBox, 1 - 0.42, 0.33)).toBe(true);
      expect(left.faces[0].pose.yaw).toBeLessThan(-15);
    });

    it('finds every face of a wide composite and of a tall one', async () => {
      const portraits = ['astronaut.png', 'camera.png', 'grace_hopper.jpg'];
      // Face centres in each portrait, as ratios of it.
      const centres = [
        [0.43, 0.25],
        [0.42, 0.33],
        [0.52, 0.41],
      ];
      for (const direction of ['wide', 'tall'] as const) {
        const parts = await Promise.all(
          portraits.map((name) =>
            sharp(fixture(name))
              .resize(direction === 'wide' ? { height: 300 } : { width: 300 })
              .png()
              .toBuffer({ resolveWithObject: true }),
          ),
        );
        let offset = 0;
        const placed = parts.map(({ data, info }) => {
          const at = { input: data, left: direction === 'wide' ? offset : 0, top: direction === 'wide' ? 0 : offset, width: info.width, height: info.height };
          offset += direction === 'wide' ? info.width : info.height;
          return at;
        });
        const [width, height] = direction === 'wide' ? [offset, 300] : [300, offset];
        const composite = await sharp({ create: { width, height, channels: 3, background: '#808080' } })
          .composite(placed.map(({ input, left, top }) => ({ input, left, top })))
          .png()
          .toBuffer();
        const { faces } = facesDetectResultSchema.parse(await engine.detectFaces(await testImage(composite)));
        expect({ direction, found: faces.length }).toEqual({ direction, found: 3 });
        placed.forEach((part, i) => {
          const x = (part.left + centres[i][0] * part.width) / width;
          const y = (part.top + centres[i][1] * part.height) / height;
          expect({ direction, portrait: portraits[i], found: faces.some((f) => contains(f.boundingBox, x, y)) }).toEqual({
            direction,
            portrait: portraits[i],
            found: true,
          });
        });
      }
    });

    it('finds faces of about 40 px in a small group scene (the small-face pass), and only them', async () => {
      // Two copies each of Grace Hopper and the astronaut, face and some hair in 56 px squares (the face ~35-40 px
      // wide), on the coffee photo at 500 x 375: the two usual passes found one of the four.
      const crops = {
        'grace_hopper.jpg': { left: 120, top: 100, width: 290, height: 290 },
        'astronaut.png': { left: 140, top: 48, width: 160, height: 160 },
      };
      const side = 56;
      const placed = await Promise.all(
        [0, 1, 2, 3].map(async (i) => {
          const name = i % 2 === 0 ? 'grace_hopper.jpg' : 'astronaut.png';
          const input = await sharp(fixture(name)).extract(crops[name]).resize(side).toColourspace('srgb').png().toBuffer();
          return { input, left: 40 + (i % 2) * 200 + (i > 1 ? 80 : 0), top: 60 + Math.floor(i / 2) * 170 };
        }),
      );
      const scene = await sharp(fixture('coffee.png')).resize(500, 375, { fit: 'cover' }).composite(placed).jpeg().toBuffer();
      const { faces } = facesDetectResultSchema.parse(await engine.detectFaces(await testImage(scene)));
      const centres = placed.map(({ left, top }) => [(left + side / 2) / 500, (top + side / 2) / 375] as const);
      expect(centres.map(([x, y]) => faces.some((f) => contains(f.boundingBox, x, y)))).toEqual([true, true, true, true]);
      // No face elsewhere on the coffee photo.
      expect(faces.filter((f) => !centres.some(([x, y]) => contains(f.boundingBox, x, y)))).toEqual([]);
    });

    it('finds a close-up face whole in a tall image, where every tile cuts it', async () => {
      // Tiles of 500 px start every 250 px: a 500 px face from y = 150 to 650 lies whole in none of them.
      const closeUp = await sharp(fixture('grace_hopper.jpg')).extract({ left: 150, top: 130, width: 230, height: 250 }).resize(460).toBuffer();
      const tall = await sharp({ create: { width: 500, height: 1100, channels: 3, background: '#808080' } })
        .composite([{ input: closeUp, left: 20, top: 150 }])
        .png()
        .toBuffer();
      const { faces } = facesDetectResultSchema.parse(await engine.detectFaces(await testImage(tall)));
      expect(faces).toHaveLength(1);
      const box = faces[0].boundingBox;
      expect(box.top).toBeLessThan(200 / 1100);
      expect(box.top + box.height).toBeGreaterThan(550 / 1100);
    });

    it('finds a face that fills the frame and faces small in a large scene', async () => {
      const closeUp = await testImage(fixture('grace_hopper.jpg'), (s) => s.extract({ left: 150, top: 130, width: 230, height: 250 }).resize(640));
      const close = await engine.detectFaces(closeUp);
      expect(close.faces).toHaveLength(1);
      expect(close.faces[0].boundingBox.width).toBeGreaterThan(0.6);

      const small = await sharp(fixture('grace_hopper.jpg')).extract({ left: 120, top: 100, width: 290, height: 290 }).resize(200).toBuffer();
      const scene = await testImage(await sharp(fixture('rocket.jpg')).resize(1600).composite([{ input: small, left: 900, top: 300 }]).png().toBuffer());
      const far = await engine.detectFaces(scene);
      expect(far.faces).toHaveLength(1);
      expect(contains(far.faces[0].boundingBox, (900 + 100) / 1600, (300 + 100) / scene.height)).toBe(true);
    });
  });

  describe('face pose and quality', () => {
    const only = async (image: EncodedImage): Promise<DetectedFace> => {
      const { faces } = facesDetectResultSchema.parse(await engine.detectFaces(image));
      expect(faces).toHaveLength(1);
      return faces[0];
    };

    it('reads a portrait facing the camera as nearly level and frontal, bright and sharp enough', async () => {
      const face = await only(images['grace_hopper.jpg']);
      expect(Math.abs(face.pose.roll)).toBeLessThan(10);
      expect(Math.abs(face.pose.yaw)).toBeLessThan(20);
      expect(Math.abs(face.pose.pitch)).toBeLessThan(25);
      expect(face.quality.brightness).toBeGreaterThan(20);
      expect(face.quality.brightness).toBeLessThan(90);
      expect(face.quality.sharpness).toBeGreaterThan(40);
    });

    it('reads the turn of a rotated face as roll, and a mirrored face with the opposite yaw', async () => {
      const upright = await only(images['grace_hopper.jpg']);
      // sharp turns clockwise: the eye on the image's right goes down, which is a positive roll.
      const turned = await only(await testImage(fixture('grace_hopper.jpg'), (s) => s.rotate(20, { background: '#808080' })));
      expect(Math.abs(turned.pose.roll - upright.pose.roll - 20)).toBeLessThan(6);
      const mirrored = await only(images['grace_hopper.flop']);
      expect(Math.abs(mirrored.pose.yaw + upright.pose.yaw)).toBeLessThan(6);
      expect(Math.abs(mirrored.pose.roll + upright.pose.roll)).toBeLessThan(4);
    });

    it('measures a darker face as less bright and a blurred face as less sharp', async () => {
      const plain = await only(images['grace_hopper.jpg']);
      const dark = await only(await testImage(fixture('grace_hopper.jpg'), (s) => s.linear(0.5, 0)));
      expect(dark.quality.brightness).toBeLessThan(plain.quality.brightness * 0.6);
      const blurred = await only(await testImage(fixture('grace_hopper.jpg'), (s) => s.blur(3)));
      expect(blurred.quality.sharpness).toBeLessThan(plain.quality.sharpness - 20);
    });
  });

  describe('compareFaces', () => {
    it('matches a person with their mirror image', async () => {
      const result = facesCompareResultSchema.parse(
        await engine.compareFaces(images['grace_hopper.jpg'], images['grace_hopper.flop'], { similarityThreshold: 80 }),
      );
      expect(result.sourceFace).not.toBeNull();
      expect(result.matches).toHaveLength(1);
      expect(result.matches[0].similarity).toBeGreaterThanOrEqual(90);
      expect(result.unmatchedFaces).toEqual([]);
    });

    it('matches a face turned and rescaled: both are aligned by their landmarks before the descriptor', async () => {
      for (const [name, angle, side] of [
        ['grace_hopper.jpg', -40, 900],
        ['astronaut.png', 30, 300],
      ] as const) {
        const turned = await testImage(fixture(name), (s) => s.rotate(angle, { background: '#808080' }).resize(side));
        const result = await engine.compareFaces(images[name], turned, { similarityThreshold: 0 });
        expect(result.matches).toHaveLength(1);
        expect({ name, atLeast90: result.matches[0].similarity >= 90 }).toEqual({ name, atLeast90: true });
      }
    });

    it('does not match different people', async () => {
      const result = await engine.compareFaces(images['grace_hopper.jpg'], images['astronaut.png'], { similarityThreshold: 80 });
      expect(result.matches).toEqual([]);
      expect(result.unmatchedFaces).toHaveLength(1);
      const low = await engine.compareFaces(images['grace_hopper.jpg'], images['astronaut.png'], { similarityThreshold: 0 });
      expect(low.matches).toHaveLength(1);
      expect(low.matches[0].similarity).toBeLessThan(50);
    });

    it('sorts matches by similarity and keeps the rest unmatched', async () => {
      const group = await testImage(
        await sharp({ create: { width: 1100, height: 620, channels: 3, background: '#808080' } })
          .composite([
            { input: fixture('astronaut.png'), left: 560, top: 50 },
            { input: await sharp(fixture('grace_hopper.jpg')).flop().toBuffer(), left: 0, top: 0 },
          ])
          .png()
          .toBuffer(),
      );
      const result = facesCompareResultSchema.parse(
        await engine.compareFaces(images['grace_hopper.jpg'], group, { similarityThreshold: 80 }),
      );
      expect(result.matches).toHaveLength(1);
      expect(result.matches[0].face.boundingBox.left).toBeLessThan(0.5);
      expect(result.unmatchedFaces).toHaveLength(1);
      expect(result.unmatchedFaces[0].boundingBox.left).toBeGreaterThan(0.5);

      const all = await engine.compareFaces(images['grace_hopper.jpg'], group, { similarityThreshold: 0 });
      expect(all.matches.map((m) => m.similarity)).toEqual([...all.matches.map((m) => m.similarity)].sort((a, b) => b - a));
      expect(all.unmatchedFaces).toEqual([]);
    });

    it('answers with no source face when the source has none', async () => {
      await expect(engine.compareFaces(images['coffee.png'], images['astronaut.png'], { similarityThreshold: 80 })).resolves.toEqual({
        sourceFace: null,
        matches: [],
        unmatchedFaces: [],
      });
    });
  });

  describe('detectLabels', () => {
    it('finds a Person on the astronaut portrait', async () => {
      const result = labelsDetectResultSchema.parse(await engine.detectLabels(images['astronaut.png'], { maxLabels: 20, minConfidence: 50 }));
      const person = result.labels.find((l) => l.name === 'Person');
      expect(person).toBeDefined();
      expect(person?.confidence).toBeGreaterThanOrEqual(80);
      expect(person?.instances.length).toBeGreaterThanOrEqual(1);
      expect(person?.instances[0].boundingBox.height).toBeGreaterThan(0.5);
    });

    it('adds Face, Head and Portrait from the face detector, with their parents', async () => {
      const { labels } = labelsDetectResultSchema.parse(await engine.detectLabels(images['grace_hopper.jpg'], { maxLabels: 50, minConfidence: 50 }));
      const byName = new Map(labels.map((l) => [l.name, l]));
      expect(byName.get('Face')?.parents).toEqual([{ name: 'Head' }, { name: 'Person' }]);
      expect(byName.has('Head')).toBe(true);
      expect(byName.has('Portrait')).toBe(true);
      expect(byName.get('Person')?.confidence).toBeGreaterThanOrEqual(byName.get('Face')?.confidence ?? 100);
    });

    it('adds image properties when asked, and only them when the labels are not asked for', async () => {
      const both = labelsDetectResultSchema.parse(
        await engine.detectLabels(images['coffee.png'], { maxLabels: 20, minConfidence: 50, features: ['GENERAL_LABELS', 'IMAGE_PROPERTIES'] }),
      );
      expect(both.labels.map((l) => l.name)).toContain('Cup');
      expect(both.imageProperties?.dominantColors.length).toBeGreaterThan(0);
      const percents = both.imageProperties?.dominantColors.map((c) => c.pixelPercent) ?? [];
      expect(percents).toEqual([...percents].sort((a, b) => b - a));
      expect(percents.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(100.01);
      const only = await engine.detectLabels(images['coffee.png'], { maxLabels: 20, minConfidence: 50, features: ['IMAGE_PROPERTIES'] });
      expect(only).toEqual({ labels: [], imageProperties: both.imageProperties });
      expect((await engine.detectLabels(images['coffee.png'], { maxLabels: 20, minConfidence: 50 })).imageProperties).toBeUndefined();
    });

    it('names the cat a Cat, with its parents, and never a Dog (CenterNet, which says dog, is outvoted)', async () => {
      const { labels } = labelsDetectResultSchema.parse(await engine.detectLabels(images['chelsea.png'], { maxLabels: 50, minConfidence: 0 }));
      const byName = new Map(labels.map((l) => [l.name, l]));
      expect(byName.get('Cat')?.confidence).toBeGreaterThanOrEqual(50);
      expect(byName.get('Cat')?.instances.length).toBe(1);
      expect(byName.get('Cat')?.parents).toEqual([{ name: 'Pet' }, { name: 'Mammal' }, { name: 'Animal' }]);
      expect(byName.has('Dog')).toBe(false);
      expect(byName.has('Canine')).toBe(false);
    });

    it('sees Person, and no Surfboard, on three portraits side by side', async () => {
      const { labels } = labelsDetectResultSchema.parse(await engine.detectLabels(images['three-portraits'], { maxLabels: 50, minConfidence: 50 }));
      const byName = new Map(labels.map((l) => [l.name, l]));
      // Person from the three faces (nanodet's best person box here scores only 0.31), and no CenterNet surfboards.
      expect(byName.get('Person')?.confidence).toBeGreaterThanOrEqual(80);
      expect(byName.has('Face')).toBe(true);
      expect(byName.has('Surfboard')).toBe(false);
      expect(byName.has('Sports Equipment')).toBe(false);
    });

    it('adds Text and Document for a page of printed text, and neither for photos without text', async () => {
      const page = await engine.detectLabels(images['printed_text.png'], { maxLabels: 50, minConfidence: 50 });
      const byName = new Map(page.labels.map((l) => [l.name, l]));
      expect(byName.get('Text')?.confidence).toBeGreaterThanOrEqual(80);
      expect(byName.get('Document')?.parents).toEqual([{ name: 'Text' }]);
      expect(byName.get('Document')?.categories).toEqual([{ name: 'Text and Documents' }]);
      for (const name of ['coffee.png', 'chelsea.png']) {
        const { labels } = await engine.detectLabels(images[name], { maxLabels: 50, minConfidence: 0 });
        expect(labels.map((l) => l.name)).not.toContain('Text');
      }
    });

    it('still answers, without Text, when OCR fails beside the models (and its failure is never unhandled)', async () => {
      const unhandled: unknown[] = [];
      const record = (reason: unknown) => unhandled.push(reason);
      process.on('unhandledRejection', record);
      // Same model paths: it shares the running engine's models; only its OCR gives up at once.
      const hurried = new LocalEngine({ textTimeoutMs: 1, warmup: false });
      await hurried.start();
      try {
        const { labels } = await hurried.detectLabels(images['printed_text.png'], { maxLabels: 50, minConfidence: 0 });
        const names = labels.map((l) => l.name);
        expect(names).not.toContain('Text');
        const portrait = await hurried.detectLabels(images['astronaut.png'], { maxLabels: 50, minConfidence: 50 });
        expect(portrait.labels.map((l) => l.name)).toContain('Person');
        await new Promise((resolve) => setImmediate(resolve));
        expect(unhandled).toEqual([]);
      } finally {
        process.off('unhandledRejection', record);
        await hurried.stop();
      }
    });

    it('finds a Cup on the coffee photo', async () => {
      const { labels } = await engine.detectLabels(images['coffee.png'], { maxLabels: 20, minConfidence: 50 });
      expect(labels.map((l) => l.name)).toContain('Cup');
    });

    it('respects maxLabels and minConfidence', async () => {
      const loose = await engine.detectLabels(images['astronaut.png'], { maxLabels: 100, minConfidence: 0 });
      expect(loose.labels.length).toBeGreaterThan(1);
      const names = new Set(loose.labels.map((l) => l.name));
      for (const label of loose.labels) {
        expect(label.name).toMatch(/^[A-Z][A-Za-z]*( [A-Z][A-Za-z]*)*$/);
        for (const instance of label.instances) expect(label.confidence).toBeGreaterThanOrEqual(instance.confidence);
        for (const parent of label.parents) expect(names).toContain(parent.name);
        expect(label.categories.length).toBeGreaterThan(0);
      }
      const one = await engine.detectLabels(images['astronaut.png'], { maxLabels: 1, minConfidence: 0 });
      expect(one.labels).toEqual([loose.labels[0]]);
      const strict = await engine.detectLabels(images['astronaut.png'], { maxLabels: 100, minConfidence: 70 });
      for (const label of strict.labels) {
        for (const instance of label.instances) expect(instance.confidence).toBeGreaterThanOrEqual(70);
      }
      expect(strict.labels.length).toBeLessThan(loose.labels.length);
    });
  });

  describe('detectText', () => {
    it('reads printed text on a photo', async () => {
      const result = textDetectResultSchema.parse(await engine.detectText(images['text-on-photo']));
      const lines = result.text.filter((t) => t.type === 'LINE').map((t) => t.text);
      const words = result.text.filter((t) => t.type === 'WORD').map((t) => t.text);
      expect(lines).toEqual(expect.arrayContaining(['Privacy first vision API']));
      expect(words).toEqual(expect.arrayContaining(['quick', 'brown', 'fox', '2024']));
      // The card is in the top-left corner of the photo.
      for (const entry of result.text) {
        expect(entry.boundingBox.left).toBeLessThan(0.7);
        expect(entry.boundingBox.top).toBeLessThan(0.35);
      }
    });

    it.each(['coffee.png', 'text.png', 'astronaut.png'])('reports no junk words on %s', async (name) => {
      const result = textDetectResultSchema.parse(await engine.detectText(images[name]));
      for (const entry of result.text) {
        expect(entry.text).toMatch(/[\p{L}\p{N}]/u);
        if (entry.type === 'WORD') expect(entry.confidence).toBeGreaterThanOrEqual(MIN_WORD_CONFIDENCE);
      }
      if (name === 'coffee.png') expect(result.text).toEqual([]);
    });
  });

  it('gives the same answers to concurrent calls as to sequential ones', async () => {
    const calls = [
      () => engine.detectFaces(images['astronaut.png']),
      () => engine.detectLabels(images['coffee.png'], { maxLabels: 20, minConfidence: 50 }),
      () => engine.detectText(images['text-on-photo']),
      () => engine.compareFaces(images['grace_hopper.jpg'], images['grace_hopper.flop'], { similarityThreshold: 80 }),
      () => engine.detectFaces(images['camera.png']),
    ];
    const sequential: unknown[] = [];
    for (const call of calls) sequential.push(await call());
    const concurrent = await Promise.all([...calls, ...calls].map((call) => call()));
    expect(concurrent).toEqual([...sequential, ...sequential]);
  });

  it('leaks no tensors across calls', async () => {
    const round = async (): Promise<void> => {
      await engine.detectFaces(images['grace_hopper.jpg']);
      await engine.detectFaces(images['coffee.png']);
      await engine.compareFaces(images['grace_hopper.jpg'], images['astronaut.png'], { similarityThreshold: 80 });
      await engine.detectLabels(images['astronaut.png'], { maxLabels: 20, minConfidence: 50 });
    };
    await round();
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i += 1) await round();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('refuses bytes that do not decode as invalid_image', async () => {
    const image = images['grace_hopper.jpg'];
    const bad: EncodedImage = { ...image, bytes: image.bytes.subarray(0, Math.floor(image.bytes.length / 3)) };
    await expect(engine.detectFaces(bad)).rejects.toMatchObject({ code: 'invalid_image' });
  });

  it('refuses work once stopped, and can start again', async () => {
    const other = new LocalEngine();
    await expect(other.detectFaces(images['astronaut.png'])).rejects.toThrow(EngineUnavailableError);
    await other.start();
    expect((await other.detectFaces(images['astronaut.png'])).faces).toHaveLength(1);
    await other.stop();
    await expect(other.detectText(images['astronaut.png'])).rejects.toThrow(EngineUnavailableError);
    // The shared models stay loaded for the engine still running.
    expect((await engine.detectFaces(images['astronaut.png'])).faces).toHaveLength(1);
  });
});
