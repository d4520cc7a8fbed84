import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { Fixed } from '../../src/core/Fixed.js';
import { ZERO, formatFixed, mul, toNumber, writeFixed } from '../../src/core/Fixed.js';

/**
 * The shortcuts added for the backtest's order path: toNumber below one whole unit and mul
 * by zero must give exactly what the general definitions give (same double, same bigint),
 * or a trade log or a report figure would change.
 */
const SCALE = 10n ** 16n;

function plainToNumber(x: bigint): number {
  return Number(x / SCALE) + Number(x % SCALE) / 1e16;
}

function plainMul(a: bigint, b: bigint): bigint {
  const n = a * b;
  let q = n / SCALE;
  const r = n - q * SCALE;
  const twice = (r < 0n ? -r : r) * 2n;
  if (twice > SCALE || (twice === SCALE && q % 2n !== 0n)) q += n < 0n ? -1n : 1n;
  return q;
}

describe('Fixed shortcuts for small and zero amounts', () => {
  it('toNumber of an amount below one unit is the general formula to the bit', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -SCALE + 1n, max: SCALE - 1n }), (x) => {
        expect(Object.is(toNumber(x as Fixed), plainToNumber(x))).toBe(true);
      }),
      { numRuns: 20_000 },
    );
  });

  it('toNumber on both sides of the one-unit boundary agrees with the general formula', () => {
    const edges = [0n, 1n, -1n, SCALE - 1n, -(SCALE - 1n), SCALE, -SCALE, SCALE + 1n, -(SCALE + 1n)];
    for (const x of edges) expect(Object.is(toNumber(x as Fixed), plainToNumber(x))).toBe(true);
    fc.assert(
      fc.property(fc.bigInt({ min: -(10n ** 30n), max: 10n ** 30n }), (x) => {
        expect(Object.is(toNumber(x as Fixed), plainToNumber(x))).toBe(true);
      }),
      { numRuns: 20_000 },
    );
  });

  it('toNumber of amounts up to 2^64 (prices, quantities: no bigint division) is the general formula to the bit', () => {
    const TWO_64 = 1n << 64n;
    // Around every multiple of one unit the whole part changes: the estimate's correction is
    // tested on both sides, and near 2^64 and 2^53 units, where the halves carry.
    const edges: bigint[] = [TWO_64 - 1n, -(TWO_64 - 1n), TWO_64, TWO_64 + 1n, 1n << 53n, (1n << 53n) + 1n];
    for (let k = 1n; k < 1845n; k += 37n) for (const d of [-2n, -1n, 0n, 1n, 2n]) edges.push(k * SCALE + d);
    for (const x of edges) {
      expect(Object.is(toNumber(x as Fixed), plainToNumber(x))).toBe(true);
      expect(Object.is(toNumber(-x as Fixed), plainToNumber(-x))).toBe(true);
    }
    const word = fc.bigInt({ min: SCALE, max: TWO_64 - 1n });
    fc.assert(
      fc.property(word, fc.boolean(), (x, negative) => {
        const v = negative ? -x : x;
        expect(Object.is(toNumber(v as Fixed), plainToNumber(v))).toBe(true);
      }),
      { numRuns: 50_000 },
    );
    // Multiples of a unit plus a remainder close to one unit (the frac that rounds to 1e16).
    fc.assert(
      fc.property(fc.bigInt({ min: 1n, max: 1843n }), fc.bigInt({ min: 0n, max: 4096n }), (k, d) => {
        for (const x of [k * SCALE + SCALE - 1n - d, k * SCALE + d]) {
          expect(Object.is(toNumber(x as Fixed), plainToNumber(x))).toBe(true);
        }
      }),
      { numRuns: 20_000 },
    );
  });

  it('writeFixed writes the bytes of formatFixed, and nothing when the buffer has no room', () => {
    const amount = fc.oneof(
      fc.bigInt({ min: -(10n ** 40n), max: 10n ** 40n }),
      fc.bigInt({ min: -(10n ** 17n), max: 10n ** 17n }),
      fc.bigInt({ min: -1000n, max: 1000n }),
    );
    fc.assert(
      fc.property(amount, fc.integer({ min: 0, max: 8 }), (x, at) => {
        const out = new Uint8Array(96).fill(7);
        const end = writeFixed(x as Fixed, out, at);
        const text = formatFixed(x as Fixed);
        expect(end).toBe(at + text.length);
        expect(Buffer.from(out.subarray(at, end)).toString('latin1')).toBe(text);
        expect(out.subarray(0, at).every((b) => b === 7)).toBe(true);
      }),
      { numRuns: 20_000 },
    );
    const small = new Uint8Array(10).fill(7);
    expect(writeFixed((123n * SCALE) as Fixed, small, 0)).toBe(-1);
    expect(small.every((b) => b === 7)).toBe(true);
  });

  it('mul with a zero factor is zero, and any other product is the general rounding', () => {
    const amount = fc.oneof(fc.constant(0n), fc.bigInt({ min: -(10n ** 30n), max: 10n ** 30n }));
    fc.assert(
      fc.property(amount, amount, (a, b) => {
        expect(mul(a as Fixed, b as Fixed)).toBe(plainMul(a, b));
      }),
      { numRuns: 20_000 },
    );
    expect(mul(ZERO, (-5n * SCALE) as Fixed)).toBe(0n);
  });

  it('remembered products never answer for another pair (products asked in turns, repeated)', () => {
    // A few pairs, asked in any order and repeatedly, as an order's notional and fee are: every
    // answer must be that pair's own product, whichever memo entry it comes from.
    const amount = fc.bigInt({ min: -(10n ** 22n), max: 10n ** 22n });
    const pairs = fc.array(fc.tuple(amount, amount), { minLength: 1, maxLength: 4 });
    fc.assert(
      fc.property(pairs, fc.array(fc.nat(), { minLength: 1, maxLength: 40 }), (ps, picks) => {
        for (const pick of picks) {
          const [a, b] = ps[pick % ps.length] as [bigint, bigint];
          expect(mul(a as Fixed, b as Fixed)).toBe(plainMul(a, b));
          // The same factors as new bigints (equal values, other objects) hit the memo too.
          expect(mul(BigInt(a.toString()) as Fixed, b as Fixed)).toBe(plainMul(a, b));
        }
      }),
      { numRuns: 5_000 },
    );
  });
});
