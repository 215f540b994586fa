import sharp from 'sharp';
import { ErrorCode, PublicError } from '@nomosly/contracts';
import { decodeImage, inspectImage, sniffImageFormat } from './index';

const decode = async (bytes: Buffer) => decodeImage(await inspectImage(bytes));

const solid = (width: number, height: number) =>
  sharp({ create: { width, height, channels: 3, background: { r: 200, g: 40, b: 40 } } });

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'ok';
  } catch (error) {
    if (error instanceof PublicError) return error.code;
    throw error;
  }
}

describe('images', () => {
  it('recognises formats by their first bytes', async () => {
    expect(sniffImageFormat(await solid(100, 100).jpeg().toBuffer())).toBe('jpeg');
    expect(sniffImageFormat(await solid(100, 100).png().toBuffer())).toBe('png');
    expect(sniffImageFormat(await solid(100, 100).webp().toBuffer())).toBe('webp');
    expect(sniffImageFormat(await solid(100, 100).gif().toBuffer())).toBe('gif');
    expect(sniffImageFormat(Buffer.from('hello world'))).toBeNull();
  });

  it('refuses other image formats as unsupported and non-images as invalid', async () => {
    expect(await codeOf(inspectImage(await solid(100, 100).webp().toBuffer()))).toBe(ErrorCode.UnsupportedMediaType);
    expect(await codeOf(inspectImage(await solid(100, 100).gif().toBuffer()))).toBe(ErrorCode.UnsupportedMediaType);
    expect(await codeOf(inspectImage(Buffer.from('%PDF-1.4 not an image')))).toBe(ErrorCode.InvalidImage);
    expect(await codeOf(inspectImage(Buffer.alloc(0)))).toBe(ErrorCode.InvalidImage);
  });

  it('applies the size and dimension limits', async () => {
    expect(await codeOf(inspectImage(await solid(79, 200).png().toBuffer()))).toBe(ErrorCode.InvalidImage);
    expect(await codeOf(inspectImage(await solid(80, 80).png().toBuffer()))).toBe('ok');
    expect(await codeOf(inspectImage(await solid(4097, 100).png().toBuffer()))).toBe(ErrorCode.ImageTooLarge);
    expect(await codeOf(inspectImage(await solid(4096, 100).png().toBuffer()))).toBe('ok');
    const overFiveMiB = Buffer.concat([await solid(100, 100).png().toBuffer(), Buffer.alloc(5 * 1024 * 1024)]);
    expect(await codeOf(inspectImage(overFiveMiB))).toBe(ErrorCode.ImageTooLarge);
  });

  it('refuses a truncated JPEG when decoding', async () => {
    const jpeg = await solid(400, 300).jpeg().toBuffer();
    expect(await codeOf(decode(jpeg.subarray(0, Math.floor(jpeg.length / 2))))).toBe(ErrorCode.InvalidImage);
  });

  it('honours EXIF orientation', async () => {
    const landscape = await sharp({ create: { width: 300, height: 100, channels: 3, background: '#ffffff' } })
      .composite([{ input: await solid(100, 100).png().toBuffer(), left: 0, top: 0 }])
      .jpeg()
      .withMetadata({ orientation: 6 })
      .toBuffer();
    expect((await inspectImage(landscape)).width).toBe(100);
    const image = await decode(landscape);
    expect([image.width, image.height]).toEqual([100, 300]);
    expect(image.rgb.length).toBe(100 * 300 * 3);
    // Orientation 6 turns the picture 90 degrees clockwise: the red square moves from the left to the top.
    const pixel = (x: number, y: number) => Array.from(image.rgb.subarray((y * 100 + x) * 3, (y * 100 + x) * 3 + 3));
    expect(pixel(50, 20)[0]).toBeGreaterThan(150);
    expect(pixel(50, 20)[1]).toBeLessThan(100);
    expect(pixel(50, 250)).toEqual(expect.arrayContaining([expect.any(Number)]));
    expect(pixel(50, 250)[1]).toBeGreaterThan(200);
    const smaller = await decodeImage(await inspectImage(landscape), { maxSide: 150 });
    expect([smaller.width, smaller.height]).toEqual([50, 150]);
  });

  it('decodes grey and alpha images to RGB', async () => {
    const grey = await sharp({ create: { width: 90, height: 90, channels: 4, background: { r: 0, g: 0, b: 0, alpha: 0.5 } } })
      .png()
      .toBuffer();
    const image = await decode(grey);
    expect(image.rgb.length).toBe(90 * 90 * 3);
  });
});
