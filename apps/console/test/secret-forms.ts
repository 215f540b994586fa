import { base64Forms } from '@nomosly/testing';

/**
 * The encodings of a key's secret that P3 searches every store and answer for: the secret proper (the part after
 * its public 12-character prefix) as plain text, as base64 at any alignment, and as hex in either case. Returns
 * the names of the forms found, so a failure says which.
 */
export function secretFormsIn(haystack: Buffer | string, secret: string): string[] {
  const proper = Buffer.from(secret.slice(12), 'utf8');
  const bytes = typeof haystack === 'string' ? Buffer.from(haystack, 'utf8') : haystack;
  const found: string[] = [];
  if (bytes.includes(proper)) found.push('plain');
  else if (base64Forms(proper).some((form) => bytes.includes(form))) found.push('base64');
  if (bytes.includes(proper.toString('hex'))) found.push('hex');
  if (bytes.includes(proper.toString('hex').toUpperCase())) found.push('HEX');
  return found;
}
