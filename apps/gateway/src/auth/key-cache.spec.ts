import { TtlCache } from './key-cache';

describe('TtlCache', () => {
  it('serves values until their time to live has passed', () => {
    let now = 1000;
    const cache = new TtlCache<string>(10, () => now);
    cache.set('a', 'A', 500);
    expect(cache.get('a')).toBe('A');
    now = 1499;
    expect(cache.get('a')).toBe('A');
    now = 1500;
    expect(cache.get('a')).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('drops the least recently used entry when full', () => {
    const cache = new TtlCache<number>(2);
    cache.set('a', 1, 10_000);
    cache.set('b', 2, 10_000);
    cache.get('a');
    cache.set('c', 3, 10_000);
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('a')).toBe(1);
    expect(cache.get('c')).toBe(3);
  });
});

describe('TtlCache groups', () => {
  it('drops every entry of a group and only those, also after eviction and expiry', () => {
    let now = 0;
    const cache = new TtlCache<string>(3, () => now);
    cache.set('a1', 'A1', 100, 'A');
    cache.set('a2', 'A2', 10, 'A');
    cache.set('b1', 'B1', 100, 'B');
    cache.set('miss', 'none', 100);
    expect(cache.get('a1')).toBeUndefined(); // evicted as least recently used
    now = 20;
    expect(cache.get('a2')).toBeUndefined(); // expired
    cache.set('a3', 'A3', 100, 'A');
    cache.deleteGroup('A');
    expect(cache.get('a3')).toBeUndefined();
    expect(cache.get('b1')).toBe('B1');
    expect(cache.get('miss')).toBe('none');
    cache.clear();
    expect(cache.size).toBe(0);
  });
});
