import sharp, { type Sharp } from 'sharp';
import type { VisionImage } from './engine';

/**
 * Test helper: decodes an image file or buffer the way the worker does (EXIF orientation applied, alpha
 * dropped, sRGB) into a VisionImage. `transform` may alter the pipeline first (flop, resize...).
 */
export async function visionImage(input: string | Buffer, transform?: (image: Sharp) => Sharp): Promise<VisionImage> {
  let pipeline = sharp(input).rotate();
  if (transform) pipeline = transform(pipeline);
  const upright = await pipeline.removeAlpha().toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
  const { width, height, channels } = upright.info;
  if (channels !== 3) throw new Error(`expected 3 channels, got ${channels}`);
  const encoded = await sharp(upright.data, { raw: { width, height, channels: 3 } }).png().toBuffer();
  return { width, height, rgb: upright.data, encoded };
}
