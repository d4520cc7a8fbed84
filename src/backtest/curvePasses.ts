import { twoProductError } from '../core/twoProductError.js';
import { BinnedExactSum } from '../core/BinnedExactSum.js';
import type { EquityCurve } from './types.js';

/** Whether point i is the last of its timestamp: the one point of the curve that is its period. */
function endsPeriod(ts: Float64Array, i: number, n: number): boolean {
  return i === n - 1 || ts[i] !== ts[i + 1];
}

/**
 * The curve's equity with one point per distinct timestamp (the last one), given how many
 * periods there are. A run over several symbols may sample equity after each symbol's bar of
 * the same time; counting those as separate periods would inflate the annualization factor and
 * add zero-length "returns". A curve with a point per period is used as it is.
 */
export function periodEquity(curve: EquityCurve, n: number, periods: number): Float64Array {
  if (periods === n) return curve.equity.subarray(0, n);
  const eq = new Float64Array(periods);
  let k = 0;
  for (let i = 0; i < n; i++) {
    if (endsPeriod(curve.ts, i, n)) eq[k++] = curve.equity[i] as number;
  }
  return eq;
}

// The passes over the curve live in small functions of their own: run once per report, a loop
// inside the big function (computeStats, stats.ts) would wait in the interpreter for on-stack
// replacement and then be compiled with the whole function, at several times the cost per point.

/**
 * The exact sums of the passes below, reused by every report of this thread: each holds 34 KB
 * of typed arrays (memory outside V8's heap, whose growth V8 answers with full collections),
 * and an optimizer builds thousands of reports. The passes run one at a time.
 */
const SUMS = [new BinnedExactSum(), new BinnedExactSum()] as const;

/**
 * One pass over the periods of the curve (the last point of each distinct timestamp): how many
 * there are, the first and last, the exact sums of the per-period returns and of their squared
 * negative parts (rounded once: the numbers fsum gives over arrays of them, without the
 * arrays), and the deepest fall from a peak with the longest time under water, in periods and
 * in milliseconds. One pass instead of one per figure: each reads the whole curve again.
 */
export function periodPass(ts: Float64Array, equity: Float64Array, n: number): PeriodPass {
  const returns = SUMS[0].reset();
  const downside = SUMS[1].reset();
  let periods = 0;
  let firstTs = 0;
  let lastTs = 0;
  let previous = 0;
  let peak = 0;
  let peakPeriod = 0;
  let peakTs = 0;
  let underwater = false;
  let maxDrawdown = 0;
  let maxDdBars = 0;
  let maxDdMs = 0;
  for (let i = 0; i < n; i++) {
    if (!endsPeriod(ts, i, n)) continue;
    const t = ts[i] as number;
    const e = equity[i] as number;
    if (periods === 0) {
      firstTs = t;
      peak = e;
      peakTs = t;
    } else {
      // A period out of the market returns exactly 0, which adds nothing to an exact sum.
      const r = periodReturn(e, previous);
      if (r !== 0) {
        returns.add(r);
        if (r < 0) downside.add(r * r);
      }
      if (e >= peak) {
        if (underwater) {
          maxDdBars = Math.max(maxDdBars, periods - peakPeriod);
          maxDdMs = Math.max(maxDdMs, t - peakTs);
          underwater = false;
        }
        peak = e;
        peakPeriod = periods;
        peakTs = t;
      } else {
        underwater = true;
        const dd = peak > 0 ? Math.min(1, (peak - e) / peak) : 1;
        if (dd > maxDrawdown) maxDrawdown = dd;
      }
    }
    previous = e;
    lastTs = t;
    periods++;
  }
  if (underwater) {
    maxDdBars = Math.max(maxDdBars, periods - 1 - peakPeriod);
    maxDdMs = Math.max(maxDdMs, lastTs - peakTs);
  }
  const out = PASS;
  out.periods = periods;
  out.firstTs = firstTs;
  out.lastTs = lastTs;
  out.lastEquity = previous;
  out.returns = returns.value();
  out.downside = downside.value();
  out.maxDrawdown = maxDrawdown;
  out.maxDdBars = maxDdBars;
  out.maxDdMs = maxDdMs;
  return out;
}

/** What {@link periodPass} finds. */
export interface PeriodPass {
  periods: number;
  firstTs: number;
  lastTs: number;
  lastEquity: number;
  returns: number;
  downside: number;
  maxDrawdown: number;
  maxDdBars: number;
  maxDdMs: number;
}

// The pass writes its result into an object made once: an object literal after the loop made
// V8 throw away the pass's compiled loop at its end on every report (its feedback for the
// literal did not survive a full collection), so each report ran the next pass's first
// iterations in the interpreter again. Fields that hold fractions start as fractions, so V8
// stores them as doubles from the first write (see primeShapes in stats.ts). computeStats reads
// it before the next report.
const PASS: PeriodPass = {
  periods: 0,
  firstTs: 0.5,
  lastTs: 0.5,
  lastEquity: 0.5,
  returns: 0.5,
  downside: 0.5,
  maxDrawdown: 0.5,
  maxDdBars: 0,
  maxDdMs: 0.5,
};

/**
 * Exact sum of (return − mean)², for the sample standard deviation. The periods with a zero
 * return all add the same square, so they are counted and added at once as k × mean², an
 * exact product split into two doubles.
 */
export function squaredDeviationSum(eq: Float64Array, mean: number): number {
  const sum = SUMS[0].reset();
  let zeros = 0;
  for (let i = 1; i < eq.length; i++) {
    const r = periodReturn(eq[i] as number, eq[i - 1] as number);
    if (r === 0) zeros++;
    else sum.add((r - mean) * (r - mean));
  }
  const square = (0 - mean) * (0 - mean);
  if (zeros > 0 && (square === 0 || (square > 1e-250 && square < 1e250))) {
    const product = zeros * square;
    sum.add(product);
    sum.add(twoProductError(zeros, square, product));
  } else {
    // Near the ends of the exponent range the split product is not exact: one by one.
    for (let k = 0; k < zeros; k++) sum.add(square);
  }
  return sum.value();
}

/**
 * Return of a period whose equity is `e` over the one before it: the change over the size of
 * the equity before it (0 after a zero equity). Over a negative equity (an account in debt)
 * e ÷ previous − 1 has the wrong sign, a fall from −10 to −20 read as a 100 % gain: there the
 * return is its negation, 1 − e ÷ previous. Over a positive equity it is e ÷ previous − 1 as it
 * was, to the last bit.
 */
function periodReturn(e: number, previous: number): number {
  if (previous > 0) return e / previous - 1;
  return previous < 0 ? 1 - e / previous : 0;
}
