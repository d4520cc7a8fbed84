import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { StableMap } from '../../src/core/StableMap.js';

describe('StableMap', () => {
  // 12 keys: small maps (≤ 8 entries, kept in arrays) and those that outgrew them (a Map).
  const KEYS = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'k', 'l'];

  it('behaves as a Map of its entries, in insertion order (property)', () => {
    const op = fc.oneof(
      fc.tuple(fc.constant('set' as const), fc.constantFrom(...KEYS), fc.integer()),
      fc.tuple(fc.constant('delete' as const), fc.constantFrom(...KEYS), fc.constant(0)),
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
          for (const k of KEYS) {
            expect(ours.has(k)).toBe(model.has(k));
            expect(ours.get(k)).toBe(model.get(k));
          }
        }
      }),
      { numRuns: 500 },
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
    for (const k of ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i']) m.set(k, 1);
    expect(m.size).toBe(9);
    expect(m.has(keep)).toBe(false);
    expect(m.delete(keep)).toBe(false);
    expect([...m.values()]).toHaveLength(9);
  });

  it('a small map reads a snapshot: entries set while iterating are not visited', () => {
    const m = new StableMap<number>();
    m.set('a', 1);
    const seen: number[] = [];
    for (const v of m.values()) {
      seen.push(v);
      m.set('b', 2);
    }
    expect(seen).toEqual([1]);
    expect([...m.values()]).toEqual([1, 2]);
  });
});
