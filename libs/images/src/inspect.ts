import { imageSize } from 'image-size';
import { ErrorCode, IMAGE_LIMITS, PublicError, type ImageFormat } from '@nomosly/contracts';
import { sniffImageFormat } from './sniff';

/** An image as sent, checked against the limits from its header: the bytes and what they hold. */
export interface EncodedImage {
  readonly bytes: Buffer;
  format: ImageFormat;
  /** Width and height as displayed, after EXIF orientation. */
  width: number;
  height: number;
  /** EXIF orientation, 1 when absent. */
  orientation: number;
}

/**
 * Checks an image against API.md's limits from its header only (no pixel decoding), so that bad input
 * is refused before it is queued. `field` names the argument in messages (image, source, target).
 */
export async function inspectImage(bytes: Buffer, field = 'image'): Promise<EncodedImage> {
  if (bytes.length === 0) throw new PublicError(ErrorCode.InvalidImage, `The ${field} is empty.`);
  if (bytes.length > IMAGE_LIMITS.maxBytes) {
    throw new PublicError(
      ErrorCode.ImageTooLarge,
      `The ${field} is ${bytes.length} bytes; the limit is ${IMAGE_LIMITS.maxBytes} bytes (5 MiB).`,
    );
  }
  const format = sniffImageFormat(bytes);
  if (format === null) {
    throw new PublicError(ErrorCode.InvalidImage, `The ${field} is not a decodable JPEG or PNG image.`);
  }
  if (format !== 'jpeg' && format !== 'png') {
    throw new PublicError(
      ErrorCode.UnsupportedMediaType,
      `The ${field} is a ${format.toUpperCase()} image; only JPEG and PNG are supported.`,
    );
  }
  // Header only, in JavaScript: a few microseconds, where a decoder call costs a thread-pool round trip.
  let header: { width?: number; height?: number; orientation?: number };
  try {
    header = imageSize(bytes);
  } catch {
    throw new PublicError(ErrorCode.InvalidImage, `The ${field} is not a decodable JPEG or PNG image.`);
  }
  const orientation = header.orientation && header.orientation >= 1 && header.orientation <= 8 ? header.orientation : 1;
  const { width, height } = uprightSize(header.width ?? 0, header.height ?? 0, orientation);
  checkDimensions(width, height, field);
  return { bytes, format, width, height, orientation };
}

export function checkDimensions(width: number, height: number, field: string): void {
  if (!(width > 0 && height > 0)) {
    throw new PublicError(ErrorCode.InvalidImage, `The ${field} is not a decodable JPEG or PNG image.`);
  }
  if (width > IMAGE_LIMITS.maxSide || height > IMAGE_LIMITS.maxSide) {
    throw new PublicError(
      ErrorCode.ImageTooLarge,
      `The ${field} is ${width} x ${height} pixels; the limit is ${IMAGE_LIMITS.maxSide} x ${IMAGE_LIMITS.maxSide}.`,
    );
  }
  if (width < IMAGE_LIMITS.minSide || height < IMAGE_LIMITS.minSide) {
    throw new PublicError(
      ErrorCode.InvalidImage,
      `The ${field} is ${width} x ${height} pixels; images must be at least ${IMAGE_LIMITS.minSide} x ${IMAGE_LIMITS.minSide}.`,
    );
  }
}

/** EXIF orientations 5-8 swap width and height. */
function uprightSize(width: number, height: number, orientation: number): { width: number; height: number } {
  return orientation >= 5 ? { width: height, height: width } : { width, height };
}
