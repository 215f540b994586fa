import sharp, { type Sharp } from 'sharp';
import { type EncodedImage, inspectImage } from '@nomosly/images';

/**
 * Test helper: an image file or buffer as the worker hands it to an engine (inspected, limits checked).
 * `transform` may alter the picture first (flop, resize...); the result is then re-encoded as PNG.
 */
export async function testImage(input: string | Buffer, transform?: (image: Sharp) => Sharp): Promise<EncodedImage> {
  if (!transform) return inspectImage(typeof input === 'string' ? await sharp(input).toBuffer() : input);
  return inspectImage(await transform(sharp(input).rotate()).png().toBuffer());
}
