import { apiKeyMatches, generateApiKey, hashApiKey, isWellFormedApiKey, publicPrefixOf } from './api-key';

describe('api keys', () => {
  it('generates keys in the documented format with a 12-character public prefix', () => {
    const key = generateApiKey();
    expect(key.secret).toMatch(/^nk_live_[0-9A-Za-z]{32}$/);
    expect(key.prefix).toBe(key.secret.slice(0, 12));
    expect(key.prefix).toHaveLength(12);
    expect(isWellFormedApiKey(key.secret)).toBe(true);
  });

  it('never repeats a secret and spreads characters over the whole alphabet', () => {
    const keys = Array.from({ length: 2000 }, () => generateApiKey().secret);
    expect(new Set(keys).size).toBe(keys.length);
    const seen = new Set(keys.join('').slice(0).replace(/nk_live_/g, ''));
    expect(seen.size).toBe(62);
  });

  it('stores only a SHA-256 hex hash that does not contain the secret', () => {
    const key = generateApiKey();
    expect(key.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(key.hash).toBe(hashApiKey(key.secret));
    expect(key.hash.includes(key.secret.slice(8))).toBe(false);
  });

  it('verifies the right key and refuses any other', () => {
    const key = generateApiKey();
    expect(apiKeyMatches(key.secret, key.hash)).toBe(true);
    expect(apiKeyMatches(generateApiKey().secret, key.hash)).toBe(false);
    expect(apiKeyMatches(key.secret, 'abcd')).toBe(false);
  });

  it('rejects malformed keys', () => {
    for (const bad of ['', 'nk_live_', 'nk_test_' + 'a'.repeat(32), 'nk_live_' + 'a'.repeat(31), 'nk_live_' + '-'.repeat(32)]) {
      expect(isWellFormedApiKey(bad)).toBe(false);
    }
    expect(publicPrefixOf('nk_live_abcdefgh')).toBe('nk_live_abcd');
  });
});
