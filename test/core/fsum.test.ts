import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { fsum } from '../../src/core/fsum.js';

/** Exact rational sum of doubles via bigint at 2^-1100 resolution, then rounded by Number(): a slow oracle. */
function exactSum(values: number[]): number {
  const SHIFT = 1100n;
  let acc = 0n;
  for (const v of values) {
    if (v === 0) continue;
    const buf = new DataView(new ArrayBuffer(8));
    buf.setFloat64(0, v);
    const bits = buf.getBigUint64(0);
    const sign = bits >> 63n ? -1n : 1n;
    const exp = Number((bits >> 52n) & 0x7ffn);
    let mant = bits & ((1n << 52n) - 1n);
    let e = exp - 1075;
    if (exp === 0) e = -1074;
    else mant |= 1n << 52n;
    acc += sign * (mant << (SHIFT + BigInt(e)));
  }
  if (acc === 0n) return 0;
  // Round the exact value to the nearest double through its decimal expansion.
  const neg = acc < 0n;
  const abs = neg ? -acc : acc;
  const intPart = abs >> SHIFT;
  const frac = abs & ((1n << SHIFT) - 1n);
  const fracDigits = (frac * 10n ** 400n) >> SHIFT;
  const text = `${neg ? '-' : ''}${intPart}.${fracDigits.toString().padStart(400, '0')}`;
  return Number(text);
}

describe('fsum', () => {
  it('sums where naive addition loses digits', () => {
    expect(fsum([1e16, 1, -1e16])).toBe(1);
    expect(fsum(new Array<number>(10).fill(0.1))).toBe(1);
    expect([0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1].reduce((a, b) => a + b)).not.toBe(1);
    expect(fsum([])).toBe(0);
    expect(fsum([1, 2, 3], 1, 3)).toBe(5);
  });

  it('equals the correctly rounded exact sum (property)', () => {
    const finite = fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e200, max: 1e200 });
    fc.assert(
      fc.property(fc.array(finite, { maxLength: 40 }), (values) => {
        expect(fsum(values)).toBe(exactSum(values));
      }),
      { numRuns: 500 },
    );
  });
});
