/**
 * Indicators recomputed from raw arrays in the plainest way, for the golden tests'
 * independent checks (never the strategy's own code). NaN until defined.
 */

/** Simple mean of the `n` values ending at each index. */
export function sma(x: ArrayLike<number>, n: number): Float64Array {
  const out = new Float64Array(x.length).fill(Number.NaN);
  for (let i = n - 1; i < x.length; i++) {
    let s = 0;
    for (let j = i - n + 1; j <= i; j++) s += x[j] as number;
    out[i] = s / n;
  }
  return out;
}

/** Population standard deviation of the `n` values ending at each index. */
export function rollingStd(x: ArrayLike<number>, n: number): Float64Array {
  const m = sma(x, n);
  const out = new Float64Array(x.length).fill(Number.NaN);
  for (let i = n - 1; i < x.length; i++) {
    let ss = 0;
    for (let j = i - n + 1; j <= i; j++) ss += ((x[j] as number) - (m[i] as number)) ** 2;
    out[i] = Math.sqrt(ss / n);
  }
  return out;
}

/** EMA seeded with the first value, weight 2/(n+1); `stable` from the n-th value on. */
export function ema(x: ArrayLike<number>, n: number): { value: Float64Array; stableFrom: number } {
  const out = new Float64Array(x.length);
  const a = 2 / (n + 1);
  let e = x[0] as number;
  for (let i = 0; i < x.length; i++) {
    e = i === 0 ? e : (x[i] as number) * a + e * (1 - a);
    out[i] = e;
  }
  return { value: out, stableFrom: n - 1 };
}

/** Efficiency ratio over the last n changes: |x_i − x_{i−n}| / Σ|Δx|. */
export function efficiencyRatio(x: ArrayLike<number>, n: number): Float64Array {
  const out = new Float64Array(x.length).fill(Number.NaN);
  for (let i = n; i < x.length; i++) {
    let noise = 0;
    for (let j = i - n + 1; j <= i; j++) noise += Math.abs((x[j] as number) - (x[j - 1] as number));
    out[i] = noise === 0 ? 0 : Math.abs((x[i] as number) - (x[i - n] as number)) / noise;
  }
  return out;
}
