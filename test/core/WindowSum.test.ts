import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ExactSum } from '../../src/core/ExactSum.js';
import { fsum } from '../../src/core/fsum.js';
import { WindowSum } from '../../src/core/WindowSum.js';

/** Slides a window of `period` over `values` and checks every sum against fsum of the window. */
function checkWindow(period: number, values: readonly number[]): void {
  const sum = new WindowSum();
  for (let i = 0; i < values.length; i++) {
    sum.add(values[i] as number);
    if (i >= period) sum.add(-(values[i - period] as number));
    const from = Math.max(0, i + 1 - period);
    const want = fsum(values, from, i + 1);
    // Zero is zero: only the sign of an exactly zero sum may differ from fsum's.
    expect(sum.value() + 0).toBe(want + 0);
  }
}

describe('WindowSum', () => {
  it('equals fsum of the window on every step, prices of one market (property)', () => {
    const price = fc.double({ min: 1e-3, max: 1e5, noNaN: true });
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 40 }),
        fc.array(price, { minLength: 1, maxLength: 300 }),
        checkWindow,
      ),
      { numRuns: 300 },
    );
  });

  it('equals fsum when scales differ wildly, leaving and re-entering the two-double form (property)', () => {
    // Mixed exponents force remainders that no two doubles hold; the window later forgets them.
    const wild = fc.oneof(
      fc.double({ min: -1e300, max: 1e300, noNaN: true, noDefaultInfinity: true }),
      fc.double({ min: -1e-300, max: 1e-300, noNaN: true }),
      fc.integer({ min: -1000, max: 1000 }).map((k) => k * 2 ** -60),
      fc.constantFrom(1e16, 1, -1e16, 0.1, 0.2, 3, 2 ** 53, -0),
    );
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 12 }),
        fc.array(wild, { minLength: 1, maxLength: 200 }),
        checkWindow,
      ),
      { numRuns: 500 },
    );
  });

  it('really leaves the fast form and comes back to it', () => {
    const sum = new WindowSum();
    const values = [1, 2 ** -80, 2 ** 80, 3];
    for (const v of values) sum.add(v);
    // 2^80 + 3 + 1 + 2^-80 needs three doubles.
    expect(sum.value()).toBe(fsum(values));
    expect((sum as unknown as { slow: unknown }).slow).toBeInstanceOf(ExactSum);
    sum.add(-(2 ** -80));
    expect((sum as unknown as { slow: unknown }).slow).toBeUndefined();
    expect(sum.value()).toBe(2 ** 80 + 4);
    sum.add(-(2 ** 80));
    expect(sum.value()).toBe(4);
  });

  it('keeps a long sliding window exact where a running sum drifts', () => {
    const sum = new WindowSum();
    const prices: number[] = [];
    let x = 1000.123456789;
    let naive = 0;
    let drifted = false;
    for (let i = 0; i < 20_000; i++) {
      x *= 1 + Math.sin(i) * 0.01;
      prices.push(x);
      sum.add(x);
      naive += x;
      if (i >= 30) {
        sum.add(-(prices[i - 30] as number));
        naive -= prices[i - 30] as number;
      }
      const want = fsum(prices, Math.max(0, i - 29), i + 1);
      expect(sum.value()).toBe(want);
      if (naive !== want) drifted = true;
    }
    expect(drifted).toBe(true);
  });

  it('resets to an empty sum', () => {
    const sum = new WindowSum();
    sum.add(2 ** 80);
    sum.add(1);
    sum.add(2 ** -80);
    sum.reset();
    expect(sum.value()).toBe(0);
    sum.add(0.1);
    expect(sum.value()).toBe(0.1);
  });
});
