import { QtsError } from '../core/QtsError.js';
import { Rng } from '../core/Rng.js';

/** How each simulated run reorders the trades. */
export const MonteCarloMethod = { BOOTSTRAP: 'bootstrap', SHUFFLE: 'shuffle' } as const;
export type MonteCarloMethod = (typeof MonteCarloMethod)[keyof typeof MonteCarloMethod];

/** The percentiles reported for each distribution. */
export const PERCENTILES = [5, 25, 50, 75, 95] as const;

/** Summary of one simulated distribution. */
export interface Distribution {
  readonly p5: number;
  readonly p25: number;
  readonly p50: number;
  readonly p75: number;
  readonly p95: number;
  readonly mean: number;
  readonly min: number;
  readonly max: number;
}

/** Options of {@link monteCarlo}. */
export interface MonteCarloOptions {
  /** Net pnl of each closed trade, in the order they closed. */
  readonly pnls: readonly number[];
  readonly initialEquity: number;
  readonly runs: number;
  readonly seed: number;
  readonly method: MonteCarloMethod;
  /** Trades per bootstrap run; default the number of trades. Shuffles always use them all (another count is refused). */
  readonly tradesPerRun?: number;
}

/** What {@link monteCarlo} returns; `finalReturns` and `maxDrawdowns` hold every run for histograms. */
export interface MonteCarloResult {
  readonly method: MonteCarloMethod;
  readonly runs: number;
  readonly seed: number;
  readonly trades: number;
  readonly tradesPerRun: number;
  /** Each trade's pnl as a fraction of the equity before it, in the original sequence. */
  readonly tradeReturns: readonly number[];
  /** The original sequence: its final return and its max drawdown on trade-close equity. */
  readonly original: { readonly finalReturn: number; readonly maxDrawdown: number };
  readonly finalReturn: Distribution;
  readonly maxDrawdown: Distribution;
  /** Share of runs ending below the initial equity. */
  readonly probabilityOfLoss: number;
  readonly finalReturns: Float64Array;
  readonly maxDrawdowns: Float64Array;
}

/**
 * Monte Carlo over a trade list: how much of a backtest's result was the order the trades
 * came in. Each trade becomes a return on the equity before it (pnl ÷ equity, walking the
 * list from the initial equity), so a resampled run compounds returns, not currency amounts.
 *
 * - bootstrap: each run draws `tradesPerRun` trades with replacement, index ⌊u·n⌋ for each
 *   draw u of the seeded Rng, in order: the distribution of outcomes had the same edge
 *   produced a different set of trades;
 * - shuffle: each run is a Fisher–Yates permutation (for i from n−1 down to 1, swap i with
 *   ⌊u·(i+1)⌋): the final return never changes, the drawdown does — the luck of the order.
 *
 * Drawdowns are measured on the equity after each trade (peak starting at the initial
 * equity); drawdowns inside a trade are not seen, so they read shallower than a bar-level
 * curve. Trades are taken as sequential, as a long/flat strategy makes them. Percentiles
 * interpolate linearly between order statistics (numpy's default, Hyndman–Fan type 7).
 */
export function monteCarlo(o: MonteCarloOptions): MonteCarloResult {
  const n = o.pnls.length;
  if (n === 0)
    throw new QtsError('ERR_MONTECARLO_NO_TRADES', 'the trade list has no closed trades to resample');
  // One trade resampled is that trade every time: a table of five equal percentiles and a 0 %
  // probability of loss would read as certainty where there is no evidence at all.
  if (n === 1)
    throw new QtsError(
      'ERR_MONTECARLO_NO_TRADES',
      'the trade list has 1 closed trade: every resampled run would be that trade again, so there is no distribution (need at least 2)',
    );
  if (!Number.isSafeInteger(o.runs) || o.runs < 1 || o.runs > 10_000_000)
    throw new QtsError('ERR_INVALID_OPTION', `runs: need a whole number in 1..10000000, got ${o.runs}`);
  if (!(o.initialEquity > 0)) throw new QtsError('ERR_INVALID_OPTION', `initial equity must be positive`);
  if (o.method === MonteCarloMethod.SHUFFLE && o.tradesPerRun !== undefined && o.tradesPerRun !== n)
    throw new QtsError(
      'ERR_INVALID_OPTION',
      `trades per run: a shuffle reorders all ${n} trades; ${o.tradesPerRun} per run needs the bootstrap method`,
    );
  const perRun = o.method === MonteCarloMethod.SHUFFLE ? n : (o.tradesPerRun ?? n);
  if (!Number.isSafeInteger(perRun) || perRun < 1)
    throw new QtsError('ERR_INVALID_OPTION', `trades per run: need a whole number ≥ 1, got ${perRun}`);

  const returns = tradeReturns(o.pnls, o.initialEquity);
  const rng = new Rng(o.seed);
  const finals = new Float64Array(o.runs);
  const dds = new Float64Array(o.runs);
  const order = Array.from({ length: n }, (_, i) => i);
  const path = new Float64Array(perRun);
  let losses = 0;
  for (let r = 0; r < o.runs; r++) {
    if (o.method === MonteCarloMethod.SHUFFLE) {
      for (let i = n - 1; i > 0; i--) {
        const j = Math.floor(rng.next() * (i + 1));
        const t = order[i] as number;
        order[i] = order[j] as number;
        order[j] = t;
      }
      for (let k = 0; k < n; k++) path[k] = returns[order[k] as number] as number;
    } else {
      for (let k = 0; k < perRun; k++) path[k] = returns[Math.floor(rng.next() * n)] as number;
    }
    const { finalReturn, maxDrawdown } = compound(path);
    finals[r] = finalReturn;
    dds[r] = maxDrawdown;
    if (finalReturn < 0) losses++;
  }
  return {
    method: o.method,
    runs: o.runs,
    seed: o.seed,
    trades: n,
    tradesPerRun: perRun,
    tradeReturns: returns,
    original: compound(Float64Array.from(returns)),
    finalReturn: distribution(finals),
    maxDrawdown: distribution(dds),
    probabilityOfLoss: losses / o.runs,
    finalReturns: finals,
    maxDrawdowns: dds,
  };
}

/** Each pnl as a fraction of the equity before it, walking from `initialEquity`. */
export function tradeReturns(pnls: readonly number[], initialEquity: number): number[] {
  let equity = initialEquity;
  return pnls.map((p) => {
    const r = equity > 0 ? p / equity : 0;
    equity += p;
    return r;
  });
}

/** Final return and max drawdown of compounding these returns from 1. */
export function compound(returns: ArrayLike<number>): { finalReturn: number; maxDrawdown: number } {
  let eq = 1;
  let peak = 1;
  let maxDrawdown = 0;
  for (let i = 0; i < returns.length; i++) {
    eq *= 1 + (returns[i] as number);
    if (eq > peak) peak = eq;
    const dd = peak > 0 ? Math.min(1, Math.max(0, 1 - eq / peak)) : 1;
    if (dd > maxDrawdown) maxDrawdown = dd;
  }
  return { finalReturn: eq - 1, maxDrawdown };
}

/** Linear-interpolation percentile (type 7) of an ascending array, p in 0..100. */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  const n = sorted.length;
  if (n === 0) return NaN;
  const h = ((n - 1) * p) / 100;
  const lo = Math.floor(h);
  const hi = Math.min(n - 1, lo + 1);
  const a = sorted[lo] as number;
  return a + (h - lo) * ((sorted[hi] as number) - a);
}

function distribution(values: Float64Array): Distribution {
  const sorted = Float64Array.from(values).sort();
  let sum = 0;
  for (const v of sorted) sum += v;
  return {
    p5: percentile(sorted, 5),
    p25: percentile(sorted, 25),
    p50: percentile(sorted, 50),
    p75: percentile(sorted, 75),
    p95: percentile(sorted, 95),
    mean: sum / sorted.length,
    min: sorted[0] as number,
    max: sorted[sorted.length - 1] as number,
  };
}
