import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { GenerationMap } from '../../src/core/GenerationMap.js';

describe('GenerationMap', () => {
  it('remembers at least the last `capacity` keys with their latest values, at most twice that (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 8 }),
        fc.array(fc.tuple(fc.integer({ min: 0, max: 30 }), fc.integer()), { maxLength: 200 }),
        (capacity, writes) => {
          const m = new GenerationMap<number, number>(capacity);
          const latest = new Map<number, number>();
          const order: number[] = [];
          for (const [k, v] of writes) {
            m.set(k, v);
            latest.set(k, v);
            order.push(k);
            // The `capacity` most recently written distinct keys are all there, with their last value.
            const recent = [...new Set([...order].reverse())].slice(0, capacity);
            for (const key of recent) expect(m.get(key)).toBe(latest.get(key));
            const remembered = [...latest.keys()].filter((key) => m.has(key));
            expect(remembered.length).toBeLessThanOrEqual(2 * capacity);
            for (const key of remembered) expect(m.get(key)).toBe(latest.get(key));
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('forgets old keys once two generations have passed', () => {
    const m = new GenerationMap<string, boolean>(2);
    m.set('a', true);
    m.set('b', true); // young full: a, b become the old generation
    m.set('c', true);
    expect(m.has('a')).toBe(true);
    m.set('d', true); // c, d become old; a, b are dropped
    expect(m.has('a')).toBe(false);
    expect(m.get('b')).toBeUndefined();
    expect(m.get('c')).toBe(true);
    expect(() => new GenerationMap(0)).toThrowError(/capacity/);
  });
});
