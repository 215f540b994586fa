import path from 'node:path';
import sharp, { type Sharp } from 'sharp';
import type { EncodedImage } from '@nomosly/images';
import { testImage } from '../testing-image';
import { LocalEngine } from './local-engine';

/**
 * Engine quality on derived variants of the fixtures (there are no two photographs of one person among
 * them): the same person is matched at 90 or more, different people score under 50, and rendered text is
 * read word for word. Variants are made with sharp at test time.
 */
const fixture = (name: string) => path.resolve(__dirname, '../../../testing/fixtures/images', name);

const SENTENCE =
  'Privacy matters because every picture tells a story about someone real. We read the text, answer the ' +
  'question and forget the image at once. Nothing is kept after the answer leaves our servers';

/** The sentence set in lines of about 30 characters on a white card, optionally turned a few degrees. */
async function renderedText(fontPx: number, rotate = 0): Promise<EncodedImage> {
  const lines: string[] = [];
  for (const word of SENTENCE.split(' ')) {
    const last = lines.at(-1);
    if (last !== undefined && (last + ' ' + word).length <= 30) lines[lines.length - 1] = `${last} ${word}`;
    else lines.push(word);
  }
  const lineHeight = Math.round(fontPx * 1.6);
  const width = Math.ceil(fontPx * 0.62 * 30) + 2 * fontPx;
  const height = lineHeight * lines.length + 2 * fontPx;
  const text = lines
    .map((line, i) => `<text x="${fontPx}" y="${fontPx + lineHeight * (i + 1) - Math.round(fontPx * 0.4)}" font-family="DejaVu Sans, sans-serif" font-size="${fontPx}" fill="#111">${line}</text>`)
    .join('');
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}"><rect width="100%" height="100%" fill="#fff"/>${text}</svg>`;
  let png = await sharp(Buffer.from(svg)).flatten({ background: '#ffffff' }).png().toBuffer();
  if (rotate) png = await sharp(png).rotate(rotate, { background: '#ffffff' }).png().toBuffer();
  const meta = await sharp(png).metadata();
  // At least 80 x 80, as the API requires.
  if ((meta.height ?? 0) < 100) png = await sharp(png).extend({ top: 40, bottom: 40, background: '#ffffff' }).png().toBuffer();
  return testImage(png);
}

describe('local engine quality', () => {
  const engine = new LocalEngine();
  let hopper: EncodedImage;

  beforeAll(async () => {
    await engine.start();
    hopper = await testImage(fixture('grace_hopper.jpg'));
  }, 60_000);
  afterAll(() => engine.stop());

  const variants: Array<[string, (s: Sharp) => Sharp | Promise<Buffer>]> = [
    ['mirrored', (s) => s.flop()],
    ['cropped and recompressed at JPEG quality 50', (s) => s.extract({ left: 60, top: 40, width: 420, height: 500 }).jpeg({ quality: 50 })],
    ['rotated 10 degrees and darkened', (s) => s.rotate(10, { background: '#000' }).modulate({ brightness: 0.6 })],
    ['greyscale', (s) => s.greyscale()],
  ];

  it.each(variants)('matches the same person %s at 90 or more', async (_name, transform) => {
    const target = await testImage(fixture('grace_hopper.jpg'), transform as (s: Sharp) => Sharp);
    const result = await engine.compareFaces(hopper, target, { similarityThreshold: 80 });
    expect(result.matches).toHaveLength(1);
    expect(result.matches[0].similarity).toBeGreaterThanOrEqual(90);
  });

  it('scores different people under 50, unmatched', async () => {
    for (const other of ['astronaut.png', 'camera.png']) {
      const result = await engine.compareFaces(hopper, await testImage(fixture(other)), { similarityThreshold: 80 });
      expect(result.matches).toEqual([]);
      expect(result.unmatchedFaces).toHaveLength(1);
    }
    const scored = await engine.compareFaces(hopper, await testImage(fixture('astronaut.png')), { similarityThreshold: 0 });
    expect(scored.matches[0].similarity).toBeLessThan(50);
  });

  it('finds the right face in a two-face composite', async () => {
    const left = await sharp(fixture('astronaut.png')).resize(400, 400).png().toBuffer();
    const right = await sharp(fixture('grace_hopper.jpg')).resize(400, 469).png().toBuffer();
    const composite = await sharp({ create: { width: 820, height: 480, channels: 3, background: '#808080' } })
      .composite([
        { input: left, left: 0, top: 40 },
        { input: right, left: 420, top: 0 },
      ])
      .png()
      .toBuffer();
    const result = await engine.compareFaces(hopper, await testImage(composite), { similarityThreshold: 80 });
    expect(result.matches).toHaveLength(1);
    expect(result.matches[0].similarity).toBeGreaterThanOrEqual(90);
    // The match is the face on the right half.
    expect(result.matches[0].face.boundingBox.left).toBeGreaterThan(0.5);
    expect(result.unmatchedFaces).toHaveLength(1);
    expect(result.unmatchedFaces[0].boundingBox.left).toBeLessThan(0.5);
  });

  it.each([
    ['32 px', 32, 0],
    ['14 px', 14, 0],
    ['32 px rotated 5 degrees', 32, 5],
  ])('reads at least 95%% of the words of rendered text at %s', async (_name, px, rotate) => {
    const { text } = await engine.detectText(await renderedText(px, rotate));
    const read = new Set(text.filter((t) => t.type === 'WORD').map((t) => t.text.toLowerCase().replace(/[.,]/g, '')));
    const words = SENTENCE.toLowerCase().replace(/[.,]/g, '').split(' ');
    const found = words.filter((word) => read.has(word)).length;
    expect(found / words.length).toBeGreaterThanOrEqual(0.95);
  });
});
