import { describe, expect, it } from 'vitest';
import { RecentMap } from '../../src/core/RecentMap.js';

describe('RecentMap', () => {
  it('keeps the most recent keys, first in first out', () => {
    const m = new RecentMap<string, number>(3);
    for (const [i, k] of ['a', 'b', 'c', 'd'].entries()) m.set(k, i);
    expect(m.has('a')).toBe(false);
    expect([...m.values()]).toEqual([1, 2, 3]);
    m.set('b', 9); // replacing does not evict
    expect(m.size).toBe(3);
    expect(m.get('b')).toBe(9);
    m.set('e', 4);
    expect(m.has('b')).toBe(false);
    expect(m.get('e')).toBe(4);
    expect(() => new RecentMap(0)).toThrowError(/capacity/);
  });
});
