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

/**
 * The float nearest to an exact decimal. Bar prices are floats parsed from the exchange's
 * decimal text, so converting an order price through its decimal text makes a limit at
 * 100.1 compare equal to a bar low of 100.1 (`toNumber` may be one ulp off, and a touch
 * exactly at the limit must count).
 */
export function fixedToFloat(x: Fixed): number {
  return Number(formatFixed(x));
}
