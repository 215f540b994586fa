import { MAX_JSON_DEPTH, jsonDeeperThan } from './json-depth';

const deeper = (text: string, max?: number) => jsonDeeperThan(Buffer.from(text, 'utf8'), max);

describe('jsonDeeperThan', () => {
  it('finds nesting past the cap in arrays, objects and a mix, however long the body', () => {
    expect(MAX_JSON_DEPTH).toBe(64);
    expect(deeper('['.repeat(65) + ']'.repeat(65))).toBe(true);
    expect(deeper('['.repeat(64) + ']'.repeat(64))).toBe(false);
    expect(deeper('{"a":'.repeat(65) + '1' + '}'.repeat(65))).toBe(true);
    expect(deeper('{"a":'.repeat(64) + '1' + '}'.repeat(64))).toBe(false);
    expect(deeper('[{"a":'.repeat(33) + '1' + '}]'.repeat(33))).toBe(true);
    // 60 KB of "[", unclosed: refused without recursion, before any parser sees it.
    expect(deeper('['.repeat(60 * 1024))).toBe(true);
  });

  it('counts depth, not brackets: many siblings are fine', () => {
    expect(deeper(`[${'[],'.repeat(10_000)}[]]`)).toBe(false);
    expect(deeper(JSON.stringify({ rows: Array.from({ length: 1000 }, (_, i) => ({ i, tags: [i] })) }))).toBe(false);
  });

  it('ignores brackets inside strings, escaped quotes and non-ASCII text included', () => {
    expect(deeper(JSON.stringify({ name: '['.repeat(1000) }))).toBe(false);
    expect(deeper(JSON.stringify({ name: `\\"${'{'.repeat(1000)}é漢字` }))).toBe(false);
    expect(deeper(`["\\\\", ${'['.repeat(70)}${']'.repeat(70)}]`)).toBe(true);
  });
});
