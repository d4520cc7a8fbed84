import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { BinnedExactSum } from '../../src/core/BinnedExactSum.js';
import { fsum } from '../../src/core/fsum.js';
import { Rng } from '../../src/core/Rng.js';

function binned(values: readonly number[]): number {
  const s = new BinnedExactSum();
  for (const v of values) s.add(v);
  return s.value();
}

describe('BinnedExactSum', () => {
  it('rounds the exact sum like fsum', () => {
    expect(binned([1e16, 1, -1e16])).toBe(1);
    expect(binned(new Array<number>(10).fill(0.1))).toBe(1);
    expect(binned([])).toBe(0);
    expect(binned([1e300, 1e300, -1e300, 1])).toBe(1e300);
    expect(binned([5e-324, 5e-324, -1e-310])).toBe(fsum([5e-324, 5e-324, -1e-310]));
  });

  it('equals fsum on any finite values, subnormal and huge ones included (property)', () => {
    // Up to 1e300, past the bins' 2^976 cut-off: 60 of them cannot carry a partial total past
    // the double range. Beyond that the order of the additions decides whether one
    // intermediate total overflows (CPython's fsum raises "intermediate overflow" there).
    const finite = fc.double({ noNaN: true, min: -1e300, max: 1e300 });
    fc.assert(
      fc.property(fc.array(finite, { maxLength: 60 }), (values) => {
        // + 0 folds −0 into +0: a zero total may differ in sign only.
        expect(binned(values) + 0).toBe(fsum(values) + 0);
      }),
      { numRuns: 5000 },
    );
  });

  it('equals fsum over a stream longer than one flush, values of mixed size and sign', () => {
    const rng = new Rng(7);
    const values = Array.from({ length: (1 << 20) + 12_345 }, () => {
      const r = (rng.next() - 0.5) * 10 ** Math.floor(rng.next() * 12 - 9);
      return rng.next() < 0.5 ? r * r : r;
    });
    const s = new BinnedExactSum();
    let half = 0;
    values.forEach((v, i) => {
      s.add(v);
      if (i === 500_000) half = s.value();
    });
    expect(half).toBe(fsum(values, 0, 500_001));
    expect(s.value()).toBe(fsum(values));
  });

  it('after reset() sums only what came after it (reused instances forget the last sum)', () => {
    const finite = fc.double({ noNaN: true, min: -1e300, max: 1e300 });
    const s = new BinnedExactSum();
    fc.assert(
      fc.property(fc.array(finite, { maxLength: 40 }), fc.array(finite, { maxLength: 40 }), (a, b) => {
        s.reset();
        for (const v of a) s.add(v);
        expect(s.value() + 0).toBe(fsum(a) + 0);
        s.reset();
        for (const v of b) s.add(v);
        expect(s.value() + 0).toBe(fsum(b) + 0);
      }),
      { numRuns: 1000 },
    );
  });
});
