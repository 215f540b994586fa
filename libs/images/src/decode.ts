import sharp from 'sharp';
import { ErrorCode, PublicError } from '@nomosly/contracts';
import { checkDimensions, inspectImage } from './inspect';

/**
 * An image after decoding: orientation applied (EXIF honoured), limits checked.
 * `rgb` is tightly packed 8-bit RGB, `width * height * 3` bytes; `encoded` is a PNG or JPEG of the same
 * upright pixels, for engines that want an encoded image (OCR, remote services).
 */
export interface VisionImage {
  readonly width: number;
  readonly height: number;
  readonly rgb: Buffer;
  readonly encoded: Buffer;
}

/**
 * Decodes a JPEG or PNG into upright 8-bit RGB (EXIF orientation applied, alpha dropped, any colour space
 * converted to sRGB), after checking the limits. A truncated or corrupt file is `invalid_image`.
 */
export async function decodeImage(bytes: Buffer, field = 'image'): Promise<VisionImage> {
  const info = await inspectImage(bytes, field);
  try {
    const upright = sharp(bytes, { failOn: 'error' }).rotate();
    const { data, info: raw } = await upright
      .clone()
      .removeAlpha()
      .toColourspace('srgb')
      .raw()
      .toBuffer({ resolveWithObject: true });
    checkDimensions(raw.width, raw.height, field);
    // The original bytes serve as the encoded image unless they need turning upright first.
    const encoded =
      info.orientation === 1 ? bytes : await upright.toFormat(info.format, info.format === 'jpeg' ? { quality: 95 } : {}).toBuffer();
    return { width: raw.width, height: raw.height, rgb: data, encoded };
  } catch (error) {
    if (error instanceof PublicError) throw error;
    throw new PublicError(ErrorCode.InvalidImage, `The ${field} is not a decodable JPEG or PNG image.`);
  }
}
