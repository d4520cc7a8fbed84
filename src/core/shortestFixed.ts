import { twoProductError } from './twoProductError.js';
import { HIGH_HALF, LOW_HALF } from './wordHalves.js';
// Exact powers of ten as doubles (10^22 is the largest) and as bigints.
const POW10 = [
  1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19,
  1e20, 1e21, 1e22,
];
const POW10N: readonly bigint[] = Array.from({ length: 17 }, (_, k) => 10n ** BigInt(k));
/** Relative margin below which a round-trip test is too close to call in doubles. */
const MARGIN = 2 ** -40;

const BITS = new Float64Array(1);
const WORDS = new Uint32Array(BITS.buffer);

/**
 * The shortest round-trip decimal of `x` (what `String(x)` prints) in units of 10^-16 (a
 * Fixed; plain bigint here, as Fixed.ts builds on this file), computed
 * from the bits, or undefined when this fast path cannot prove its answer (then the caller
 * goes through the text). Prices of synthetic, adjusted or resampled data carry 16-17
 * significant digits; printing and re-parsing each costs two to three times this.
 *
 * Covers 1 ≤ |x| < 10^15. For k = 15, 16, 17 digits it takes R_k, the k-digit decimal
 * nearest to x (from the exact product x·10^s as two doubles), and keeps the first that
 * reads back as x: that is the shortest form's value (a form of at most 15 digits is always
 * the nearest 15-digit decimal, and of several k-digit forms JavaScript prints the nearest).
 * Exact ties and round-trip tests within 2^-40 of the boundary return undefined, as do powers
 * of two (their rounding interval is lopsided) and forms with more than 16 decimals.
 */
export function shortestFixed(x: number): bigint | undefined {
  const ax = x < 0 ? -x : x;
  if (!(ax >= 1 && ax < 1e15)) return undefined;
  BITS[0] = ax;
  const hi = WORDS[HIGH_HALF] as number;
  const lo = WORDS[LOW_HALF] as number;
  if ((hi & 0xfffff) === 0 && lo === 0) return undefined;
  // Half the spacing of doubles around x: its rounding interval is x ± half.
  const half = 2 ** (((hi >>> 20) & 0x7ff) - 1075 - 1);
  let e10 = Math.floor(Math.log10(ax));
  if (e10 < 14 && (POW10[e10 + 1] as number) <= ax) e10++;
  if (e10 > 0 && (POW10[e10] as number) > ax) e10--;
  for (let k = 15; k <= 17; k++) {
    const s = k - 1 - e10;
    if (s > 16) return undefined;
    const scale = POW10[s] as number;
    // x · 10^s = p + e exactly.
    const p = ax * scale;
    const e = twoProductError(ax, scale, p);
    const pInt = Math.round(p);
    // What p + e has beyond the integer pInt, exactly as t + tErr (above 2^53 the double p is
    // itself an integer and e, up to a few units, carries the rest).
    const d = p - pInt;
    const t = d + e;
    const tb = t - d;
    const tErr = d - (t - tb) + (e - tb);
    // The integer nearest to t + tErr: t rounded, unless t sits exactly half-way (Math.round
    // rounds x.5 up) and tErr decides, or nothing does (an exact tie).
    let adj = Math.round(t);
    if (t - adj === -0.5) {
      if (tErr === 0) return undefined;
      if (tErr < 0) adj -= 1;
    }
    // Distance from R_k = (pInt + adj) / 10^s to x, times 10^s: |adj − t − tErr|.
    const dist = Math.abs(adj - t - tErr);
    const bound = half * scale;
    if (dist < bound * (1 - MARGIN)) {
      const m = BigInt(pInt) + BigInt(adj);
      const fixed = m * (POW10N[16 - s] as bigint);
      return x < 0 ? -fixed : fixed;
    }
    if (dist <= bound * (1 + MARGIN)) return undefined;
  }
  return undefined;
}
