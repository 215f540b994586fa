import { readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import sharp from 'sharp';
import { fixturePath } from './paths';

export function fixture(name: string): Buffer {
  return readFileSync(fixturePath(name));
}

/**
 * A copy of a fixture that carries a unique marker byte sequence, in a PNG text chunk or a JPEG comment,
 * without changing its pixels: the needle the privacy tests search every store and log for.
 */
export async function withMarker(name: string): Promise<{ image: Buffer; marker: Buffer }> {
  const marker = Buffer.from(`NOMOSLY-MARKER-${randomBytes(12).toString('hex')}`);
  const source = fixture(name);
  const format = (await sharp(source).metadata()).format;
  return { image: markImage(source, marker, format === 'jpeg' ? 'jpeg' : 'png'), marker };
}

/** Puts a marker into an encoded image's metadata (JPEG comment or PNG text chunk); the pixels stay as they were. */
export function markImage(image: Buffer, marker: Buffer, format: 'jpeg' | 'png'): Buffer {
  return format === 'jpeg' ? insertJpegComment(image, marker) : insertPngText(image, marker);
}

function insertJpegComment(jpeg: Buffer, comment: Buffer): Buffer {
  const segment = Buffer.alloc(4);
  segment.writeUInt16BE(0xfffe, 0);
  segment.writeUInt16BE(comment.length + 2, 2);
  return Buffer.concat([jpeg.subarray(0, 2), segment, comment, jpeg.subarray(2)]);
}

function insertPngText(png: Buffer, text: Buffer): Buffer {
  const data = Buffer.concat([Buffer.from('Comment\0', 'latin1'), text]);
  const chunk = Buffer.alloc(12 + data.length);
  chunk.writeUInt32BE(data.length, 0);
  chunk.write('tEXt', 4, 'latin1');
  data.copy(chunk, 8);
  chunk.writeUInt32BE(crc32(chunk.subarray(4, 8 + data.length)), 8 + data.length);
  // After the 8-byte signature and the 25-byte IHDR chunk.
  return Buffer.concat([png.subarray(0, 33), chunk, png.subarray(33)]);
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes: Buffer): number {
  let crc = 0xffffffff;
  for (const byte of bytes) crc = CRC_TABLE[(crc ^ byte) & 0xff] ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}
