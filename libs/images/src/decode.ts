import sharp from 'sharp';
import { ErrorCode, IMAGE_LIMITS, PublicError } from '@nomosly/contracts';
import { checkDimensions, type EncodedImage } from './inspect';

/** Upright, tightly packed 8-bit RGB pixels: `width * height * 3` bytes. */
export interface VisionImage {
  readonly width: number;
  readonly height: number;
  readonly rgb: Buffer;
}

export interface DecodeOptions {
  /** Downscale (in the same decoding pass) so that the longer side is at most this; ratios do not change. */
  maxSide?: number;
}

/**
 * Decodes an inspected JPEG or PNG into upright RGB (EXIF orientation applied, alpha dropped, any colour
 * space converted to sRGB). A truncated or corrupt file is `invalid_image`.
 */
export async function decodeImage(image: EncodedImage, options: DecodeOptions = {}, field = 'image'): Promise<VisionImage> {
  try {
    let pipeline = sharp(image.bytes, { failOn: 'error', limitInputPixels: IMAGE_LIMITS.maxSide * IMAGE_LIMITS.maxSide }).rotate();
    if (options.maxSide && Math.max(image.width, image.height) > options.maxSide) {
      pipeline = pipeline.resize(options.maxSide, options.maxSide, { fit: 'inside' });
    }
    const { data, info } = await pipeline.removeAlpha().toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
    if (!options.maxSide) checkDimensions(info.width, info.height, field);
    return { width: info.width, height: info.height, rgb: data };
  } catch (error) {
    if (error instanceof PublicError) throw error;
    throw new PublicError(ErrorCode.InvalidImage, `The ${field} is not a decodable JPEG or PNG image.`);
  }
}
