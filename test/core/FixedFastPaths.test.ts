import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { Fixed } from '../../src/core/Fixed.js';
import { formatFixed, fromNumber, mul, parseFixed } from '../../src/core/Fixed.js';
import { fixedToFloat } from '../../src/sim/priceRounding.js';

/**
 * The hot paths of Fixed (mul's direct remainder test, formatFixed by slicing, the memo of
 * fromNumber, fixedToFloat without text) against the plain definitions they replace.
 */
const SCALE = 10n ** 16n;

function roundHalfEven(n: bigint, d: bigint): bigint {
  let q = n / d;
  const r = n - q * d;
  const twice = (r < 0n ? -r : r) * 2n;
  const ad = d < 0n ? -d : d;
  if (twice > ad || (twice === ad && q % 2n !== 0n)) q += n < 0n !== d < 0n ? -1n : 1n;
  return q;
}

function plainFormat(x: bigint): string {
  const negative = x < 0n;
  const magnitude = negative ? -x : x;
  const frac = (magnitude % SCALE).toString().padStart(16, '0').replace(/0+$/, '');
  return `${negative ? '-' : ''}${magnitude / SCALE}${frac ? '.' + frac : ''}`;
}

const amount = fc.bigInt({ min: -(10n ** 30n), max: 10n ** 30n });

describe('Fixed fast paths', () => {
  it('mul rounds half to even exactly like the general division', () => {
    fc.assert(
      fc.property(amount, amount, (a, b) => {
        expect(mul(a as Fixed, b as Fixed)).toBe(roundHalfEven(a * b, SCALE));
      }),
      { numRuns: 20_000 },
    );
    // Exact ties: 0.5, 1.5, 2.5 units and their negatives.
    const half = 5n * 10n ** 15n;
    for (const k of [1n, 3n, 5n, -1n, -3n, -5n]) {
      const a = k as Fixed;
      expect(mul(a, half as Fixed)).toBe(roundHalfEven(k * half, SCALE));
    }
  });

  it('formatFixed writes what the digit-by-digit definition writes', () => {
    fc.assert(
      fc.property(amount, (x) => {
        expect(formatFixed(x as Fixed)).toBe(plainFormat(x));
        expect(parseFixed(formatFixed(x as Fixed))).toBe(x);
      }),
      { numRuns: 20_000 },
    );
    for (const x of [0n, 1n, -1n, SCALE, -SCALE, SCALE - 1n, 10n ** 15n, 123n * 10n ** 14n]) {
      expect(formatFixed(x as Fixed)).toBe(plainFormat(x));
    }
  });

  it('fromNumber gives the same value on a repeated input and still refuses non-finite ones', () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e12, max: 1e12 }), (x) => {
        const first = fromNumber(x);
        expect(fromNumber(x)).toBe(first);
        expect(first).toBe(parseFixed(String(x)));
      }),
      { numRuns: 5_000 },
    );
    expect(() => fromNumber(Number.NaN)).toThrowError(/finite/);
    expect(() => fromNumber(Number.NaN)).toThrowError(/finite/);
  });

  it('fixedToFloat equals parsing the decimal text, with or without 8 decimals', () => {
    fc.assert(
      fc.property(amount, fc.boolean(), (x, eight) => {
        const v = (eight ? (x / 10n ** 8n) * 10n ** 8n : x) as Fixed;
        expect(fixedToFloat(v)).toBe(Number(formatFixed(v)));
      }),
      { numRuns: 20_000 },
    );
  });
});
