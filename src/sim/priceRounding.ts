import type { Fixed } from '../core/Fixed.js';
import { formatFixed } from '../core/Fixed.js';

/**
 * Smallest multiple of `step` not below `x`: a buyer's slipped price or a buy trailing
 * trigger is rounded up to the tick, never in the buyer's favor.
 */
export function ceilToStep(x: Fixed, step: Fixed): Fixed {
  if (step <= 0n) return x;
  const r = x % step;
  if (r === 0n) return x;
  return (r > 0n ? x - r + step : x - r) as Fixed;
}

const EIGHT_DECIMALS = 100_000_000n;
const MAX_EXACT = BigInt(Number.MAX_SAFE_INTEGER);

/**
 * The float nearest to an exact decimal. Bar prices are floats parsed from the exchange's
 * decimal text, so converting an order price through its decimal text makes a limit at
 * 100.1 compare equal to a bar low of 100.1 (`toNumber` may be one ulp off, and a touch
 * exactly at the limit must count).
 */
export function fixedToFloat(x: Fixed): number {
  // Market orders carry no limit price: zero, with no bigint work.
  if (x === 0n) return 0;
  // With at most 8 decimals x is m / 10^8 for an integer m; when m is exact as a double the
  // division is rounded once, to the double nearest the decimal: what parsing its text gives.
  if (x % EIGHT_DECIMALS === 0n) {
    const m = x / EIGHT_DECIMALS;
    if (m <= MAX_EXACT && m >= -MAX_EXACT) return Number(m) / 1e8;
  }
  return Number(formatFixed(x));
}
