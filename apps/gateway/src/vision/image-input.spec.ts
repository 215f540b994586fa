import { ErrorCode, PublicError } from '@nomosly/contracts';
import { decodeBase64 } from './image-input';

const codeOf = (fn: () => unknown): string => {
  try {
    fn();
    return 'ok';
  } catch (error) {
    return error instanceof PublicError ? error.code : 'thrown';
  }
};

describe('decodeBase64', () => {
  const bytes = Buffer.from([0xff, 0xd8, 0xff, 0x00, 0x10, 0xfe, 0xfb]);

  it('accepts standard and URL-safe base64, data URLs and line breaks, giving the same bytes', () => {
    for (const text of [
      bytes.toString('base64'),
      bytes.toString('base64url'),
      `data:image/jpeg;base64,${bytes.toString('base64')}`,
      bytes.toString('base64').replace(/(.{4})/g, '$1\n'),
    ]) {
      expect(decodeBase64(text, 'image').equals(bytes)).toBe(true);
    }
  });

  it('refuses text that is not base64', () => {
    expect(codeOf(() => decodeBase64('not base64!!', 'image'))).toBe(ErrorCode.InvalidRequest);
    expect(codeOf(() => decodeBase64('abcde', 'image'))).toBe(ErrorCode.InvalidRequest);
  });

  it('refuses more than 5 MiB before decoding it', () => {
    expect(codeOf(() => decodeBase64('A'.repeat(Math.ceil((5 * 1024 * 1024 * 4) / 3) + 16), 'image'))).toBe(ErrorCode.ImageTooLarge);
  });
});
