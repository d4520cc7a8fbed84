import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { StableMap } from '../../src/core/StableMap.js';

describe('StableMap', () => {
  it('behaves as a Map of its entries, in insertion order (property)', () => {
    const op = fc.oneof(
      fc.tuple(fc.constant('set' as const), fc.constantFrom('a', 'b', 'c', 'd', 'e'), fc.integer()),
      fc.tuple(fc.constant('delete' as const), fc.constantFrom('a', 'b', 'c', 'd', 'e'), fc.constant(0)),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 100 }), (ops) => {
        const ours = new StableMap<number>();
        const model = new Map<string, number>();
        for (const [kind, key, value] of ops) {
          if (kind === 'set') {
            ours.set(key, value);
            model.set(key, value);
          } else {
            expect(ours.delete(key)).toBe(model.delete(key));
          }
          expect(ours.size).toBe(model.size);
          expect([...ours.values()]).toEqual([...model.values()]);
          for (const k of ['a', 'b', 'c', 'd', 'e']) {
            expect(ours.has(k)).toBe(model.has(k));
            expect(ours.get(k)).toBe(model.get(k));
          }
        }
      }),
      { numRuns: 300 },
    );
  });

  it('never exposes nor accepts its placeholder key', () => {
    const m = new StableMap<number>();
    const keep = '\u0000stable-map-keep';
    expect(m.size).toBe(0);
    expect(m.has(keep)).toBe(false);
    expect(m.get(keep)).toBeUndefined();
    expect(m.delete(keep)).toBe(false);
    expect(() => m.set(keep, 1)).toThrowError(/reserved/);
    expect([...m.values()]).toEqual([]);
  });
});
