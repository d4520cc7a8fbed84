/**
 * Plain statistics over float windows, for strategies that compare series (spreads,
 * cross-sections, signal returns). Market data is float64; nothing here touches money.
 * Every function returns NaN rather than throwing when its input is too short or flat,
 * so a strategy can treat "not enough history yet" and "no signal" the same way.
 */

/** Arithmetic mean; NaN for an empty input. */
export function mean(xs: ArrayLike<number>): number {
  if (xs.length === 0) return Number.NaN;
  let s = 0;
  for (let i = 0; i < xs.length; i++) s += xs[i] as number;
  return s / xs.length;
}

/** Population standard deviation (divides by n, as Bollinger bands do); NaN under 2 values. */
export function stdev(xs: ArrayLike<number>): number {
  if (xs.length < 2) return Number.NaN;
  const m = mean(xs);
  let ss = 0;
  for (let i = 0; i < xs.length; i++) {
    const d = (xs[i] as number) - m;
    ss += d * d;
  }
  return Math.sqrt(ss / xs.length);
}

/** How many standard deviations `x` lies from the mean of `xs`; NaN when `xs` is flat. */
export function zScore(x: number, xs: ArrayLike<number>): number {
  const sd = stdev(xs);
  return sd > 0 ? (x - mean(xs)) / sd : Number.NaN;
}

/** Means and centred sums of squares and products of two series over their common length. */
interface CoMoments {
  readonly n: number;
  readonly mx: number;
  readonly my: number;
  /** Σ(x − mx)(y − my). */
  readonly sxy: number;
  /** Σ(x − mx)². */
  readonly sxx: number;
  /** Σ(y − my)². */
  readonly syy: number;
}

function coMoments(x: ArrayLike<number>, y: ArrayLike<number>): CoMoments {
  const n = Math.min(x.length, y.length);
  let mx = 0;
  let my = 0;
  for (let i = 0; i < n; i++) {
    mx += x[i] as number;
    my += y[i] as number;
  }
  mx /= n;
  my /= n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    const dx = (x[i] as number) - mx;
    const dy = (y[i] as number) - my;
    sxy += dx * dy;
    sxx += dx * dx;
    syy += dy * dy;
  }
  return { n, mx, my, sxy, sxx, syy };
}

/** Pearson correlation of two equally long series; NaN when either is flat or too short. */
export function correlation(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (Math.min(a.length, b.length) < 2) return Number.NaN;
  const { sxy, sxx, syy } = coMoments(a, b);
  return sxx > 0 && syy > 0 ? sxy / Math.sqrt(sxx * syy) : Number.NaN;
}

/** Ordinary least squares y = alpha + beta·x, with the residuals. */
export interface OlsFit {
  readonly alpha: number;
  readonly beta: number;
  readonly residuals: Float64Array;
}

/** Fits y = alpha + beta·x by least squares; beta NaN when x is flat. */
export function ols(y: ArrayLike<number>, x: ArrayLike<number>): OlsFit {
  const { n, mx, my, sxy, sxx } = coMoments(x, y);
  const beta = sxx > 0 ? sxy / sxx : Number.NaN;
  const alpha = my - beta * mx;
  const residuals = new Float64Array(n);
  for (let i = 0; i < n; i++) residuals[i] = (y[i] as number) - alpha - beta * (x[i] as number);
  return { alpha, beta, residuals };
}

/**
 * The keys of `scores` ordered best first (highest score), NaN scores left out; ties keep
 * the order of the map, so a ranking is the same on every run.
 */
export function rankDescending(scores: ReadonlyMap<string, number>): string[] {
  return [...scores.entries()]
    .filter(([, v]) => !Number.isNaN(v))
    .sort((a, b) => b[1] - a[1])
    .map(([k]) => k);
}

/** Cross-sectional z-scores of a map of values (NaN values stay NaN; a flat cross-section gives zeros). */
export function crossSectionalZ(values: ReadonlyMap<string, number>): Map<string, number> {
  const finite = [...values.values()].filter((v) => !Number.isNaN(v));
  const m = mean(finite);
  const sd = stdev(finite);
  const out = new Map<string, number>();
  for (const [k, v] of values) out.set(k, Number.isNaN(v) ? v : sd > 0 ? (v - m) / sd : 0);
  return out;
}
