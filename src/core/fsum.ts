/**
 * Correctly rounded sum of floats (Shewchuk's exact partials, as CPython's math.fsum).
 * Indicators that must agree with other engines to the last bit (backtrader averages with
 * math.fsum) use it; a plain or running sum can differ in the last place and flip a
 * crossover on ties. `scratch` lets hot callers avoid allocating the partials array.
 */
export function fsum(
  values: ArrayLike<number>,
  from = 0,
  to = values.length,
  scratch?: Float64Array,
): number {
  const partials = scratch && scratch.length >= to - from + 1 ? scratch : new Float64Array(to - from + 1);
  let n = 0;
  for (let k = from; k < to; k++) {
    let x = values[k] as number;
    let i = 0;
    for (let j = 0; j < n; j++) {
      let y = partials[j] as number;
      if (Math.abs(x) < Math.abs(y)) {
        const t = x;
        x = y;
        y = t;
      }
      const hi = x + y;
      const lo = y - (hi - x);
      if (lo !== 0) partials[i++] = lo;
      x = hi;
    }
    partials[i] = x;
    n = i + 1;
  }
  if (n === 0) return 0;
  // Sum the partials from the top, then correct the rounding of a half-way case as CPython does.
  let hi = partials[--n] as number;
  let lo = 0;
  while (n > 0) {
    const x = hi;
    const y = partials[--n] as number;
    hi = x + y;
    const yr = hi - x;
    lo = y - yr;
    if (lo !== 0) break;
  }
  if (n > 0 && ((lo < 0 && (partials[n - 1] as number) < 0) || (lo > 0 && (partials[n - 1] as number) > 0))) {
    const y = lo * 2;
    const x = hi + y;
    const yr = x - hi;
    if (y === yr) hi = x;
  }
  return hi;
}
