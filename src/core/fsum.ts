import { ExactSum } from './ExactSum.js';

/**
 * Correctly rounded sum of floats (Shewchuk's exact partials, as CPython's math.fsum).
 * Indicators and statistics that must agree with other engines to the last bit
 * (backtrader averages with math.fsum) use it; a plain sum can differ in the last place
 * and flip a crossover on ties.
 */
export function fsum(values: ArrayLike<number>, from = 0, to = values.length): number {
  const sum = new ExactSum();
  for (let k = from; k < to; k++) sum.add(values[k] as number);
  return sum.value();
}
