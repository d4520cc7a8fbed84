import { twoProductError } from '../core/twoProductError.js';
import { BinnedExactSum } from '../core/BinnedExactSum.js';
import { ExactSum } from '../core/ExactSum.js';
import type { EquityCurve, RoundTrip } from './types.js';

/** Milliseconds in an average calendar year (365.25 days), the unit of CAGR and annualization. */
export const YEAR_MS = 365.25 * 24 * 60 * 60 * 1000;

/**
 * Performance statistics of one backtest. Every number is finite; a statistic that is not
 * defined for the run (no closed trades, fewer than 2 bars, zero volatility, no losing trade
 * for the profit factor) is null, so the JSON report is always valid JSON.
 *
 * Fractions are plain fractions (0.12 = 12 %); money is in the account currency.
 */
export interface BacktestStats {
  /** finalEquity ÷ initialEquity − 1, where finalEquity is the last point of the curve. */
  readonly totalReturn: number;
  /** (finalEquity ÷ initialEquity)^(1 ÷ years) − 1, years = (endTs − startTs) ÷ 365.25 days. */
  readonly cagr: number | null;
  /** Sample standard deviation of per-bar simple returns × √periodsPerYear. */
  readonly volatility: number | null;
  /** (mean per-bar return − per-bar risk-free rate) ÷ sample stdev × √periodsPerYear. */
  readonly sharpe: number | null;
  /** Same numerator ÷ downside deviation (target 0, over all periods) × √periodsPerYear. */
  readonly sortino: number | null;
  /** cagr ÷ maxDrawdown; null when there was no drawdown. */
  readonly calmar: number | null;
  /** Largest peak-to-trough fall as a positive fraction of the peak, 0..1. */
  readonly maxDrawdown: number;
  /** Longest time from a peak to the first bar back at or above it (or to the last bar). */
  readonly maxDrawdownDurationMs: number;
  /** The same in bars (distinct timestamps of the curve). */
  readonly maxDrawdownDurationBars: number;
  /** Closed trips with pnl > 0 ÷ closed trips. */
  readonly winRate: number | null;
  /** Gross profit ÷ gross loss of closed trips; null when no closed trip lost money. */
  readonly profitFactor: number | null;
  /** Mean net pnl per closed trip. */
  readonly expectancy: number | null;
  /** barsInMarket ÷ bars. */
  readonly exposure: number;
  /** Number of closed round trips. */
  readonly trades: number;
  /** Round trips still open at the end (marked to the last price, not in the trade stats). */
  readonly openTrades: number;
  readonly feesPaid: number;
  /** Net pnl of the best closed trip. */
  readonly bestTrade: number | null;
  /** Net pnl of the worst closed trip. */
  readonly worstTrade: number | null;
  /** Mean barsHeld of closed trips. */
  readonly avgBarsHeld: number | null;
  readonly startTs: number | null;
  readonly endTs: number | null;
  /** Number of points of the equity curve. */
  readonly bars: number;
  /** (periods − 1) ÷ years spanned, periods = distinct timestamps: the annualization factor inferred from the data. */
  readonly periodsPerYear: number | null;
}

/** Inputs of {@link computeStats}. */
export interface StatsInput {
  readonly curve: EquityCurve;
  readonly trips: readonly RoundTrip[];
  readonly initialEquity: number;
  readonly feesPaid: number;
  readonly barsInMarket: number;
  /** Annual risk-free rate as a fraction (0.04 = 4 %); 0 when omitted. */
  readonly riskFreeRate?: number;
}

/** A standard deviation below this is float noise of a constant series, not risk. */
const ZERO_STDEV = 1e-14;

/**
 * Computes {@link BacktestStats} from the equity curve and the round trips.
 *
 * Annualization: periods per year are inferred from the data, (bars − 1) ÷ (span in years
 * of 365.25 days), rather than assumed (365 × 24 for hourly crypto, 252 for stock days).
 * The same formula is right for 24/7 crypto bars and for weekday-only daily stock bars
 * (≈ 252/year), and for feeds with gaps.
 *
 * Curve points sharing a timestamp (one per symbol in a multi-symbol run) count as one period,
 * the last of them; `bars` and exposure still count every point.
 * Returns are simple per-bar returns between consecutive periods (periods − 1 of them);
 * totalReturn and CAGR are measured from `initialEquity` so fees of the first bar count.
 * The drawdown is measured on the curve itself; each duration (ms, bars) is the longest of
 * its own unit. A curve that falls below zero equity caps maxDrawdown at 1 (a total loss).
 */
export function computeStats(input: StatsInput): BacktestStats {
  const { curve, trips, initialEquity, feesPaid, barsInMarket } = input;
  const rf = input.riskFreeRate ?? 0;
  const bars = Math.min(curve.ts.length, curve.equity.length);
  const pass = periodPass(curve.ts, curve.equity, bars);
  const n = pass.periods;

  const startTs = n > 0 ? fin(pass.firstTs) : null;
  const endTs = n > 0 ? fin(pass.lastTs) : null;
  const finalEquity = n > 0 ? pass.lastEquity : initialEquity;
  const growth = initialEquity > 0 ? finalEquity / initialEquity : NaN;
  const totalReturn = fin(growth - 1) ?? 0;

  // --- annualization, CAGR
  const years = startTs !== null && endTs !== null && n >= 2 ? (endTs - startTs) / YEAR_MS : 0;
  const periodsPerYear = years > 0 ? fin((n - 1) / years) : null;
  let cagr: number | null = null;
  if (years > 0 && Number.isFinite(growth)) {
    cagr = growth <= 0 ? -1 : fin(Math.pow(growth, 1 / years) - 1);
  }

  // --- per-bar returns: volatility, Sharpe, Sortino
  let volatility: number | null = null;
  let sharpe: number | null = null;
  let sortino: number | null = null;
  if (n >= 3 && periodsPerYear !== null) {
    const m = n - 1;
    const mean = pass.returns / m;
    const sumSq = squaredDeviationSum(periodEquity(curve, bars, n), mean);
    const stdev = Math.sqrt(sumSq / (m - 1));
    const downside = Math.sqrt(pass.downside / m);
    const sqrtP = Math.sqrt(periodsPerYear);
    const rfPerBar = Math.pow(1 + rf, 1 / periodsPerYear) - 1;
    volatility = fin(stdev * sqrtP);
    if (stdev > ZERO_STDEV) sharpe = fin(((mean - rfPerBar) / stdev) * sqrtP);
    if (downside > ZERO_STDEV) sortino = fin(((mean - rfPerBar) / downside) * sqrtP);
  }

  // --- drawdown depth and duration
  const { maxDrawdown, maxDdBars, maxDdMs } = pass;
  const calmar = cagr !== null && maxDrawdown > 0 ? fin(cagr / maxDrawdown) : null;

  // --- trade statistics over closed trips
  const t = tripSums(trips);
  const trades = t.trades;

  return {
    totalReturn,
    cagr,
    volatility,
    sharpe,
    sortino,
    calmar,
    maxDrawdown,
    maxDrawdownDurationMs: fin(maxDdMs) ?? 0,
    maxDrawdownDurationBars: maxDdBars,
    winRate: trades > 0 ? t.wins / trades : null,
    profitFactor: t.grossLoss > 0 ? fin(t.grossWin / t.grossLoss) : null,
    expectancy: trades > 0 ? fin(t.net / trades) : null,
    exposure: bars > 0 ? (fin(barsInMarket / bars) ?? 0) : 0,
    trades,
    openTrades: trips.length - trades,
    feesPaid: fin(feesPaid) ?? 0,
    bestTrade: trades > 0 ? fin(t.best) : null,
    worstTrade: trades > 0 ? fin(t.worst) : null,
    avgBarsHeld: trades > 0 ? fin(t.barsHeld / trades) : null,
    startTs,
    endTs,
    bars,
    periodsPerYear,
  };
}

/** Sums over the closed trips, each rounded once (the numbers fsum gives over arrays of them). */
interface TripSums {
  trades: number;
  wins: number;
  grossWin: number;
  grossLoss: number;
  net: number;
  best: number;
  worst: number;
  barsHeld: number;
}

/**
 * One pass over the trips, no arrays of pnls: the sums are exact (Shewchuk partials) and
 * rounded once, so they equal fsum over the winners, the losers and all closed trips.
 * barsHeld are integers whose sum stays far below 2^53: a plain sum is exact.
 */
function tripSums(trips: readonly RoundTrip[]): TripSums {
  const won = new ExactSum();
  const lost = new ExactSum();
  const all = new ExactSum();
  let trades = 0;
  let wins = 0;
  let best = -Infinity;
  let worst = Infinity;
  let barsHeld = 0;
  for (let k = 0; k < trips.length; k++) {
    const trip = trips[k] as RoundTrip;
    if (!trip.closed) continue;
    const pnl = trip.pnl;
    trades++;
    all.add(pnl);
    if (pnl > 0) {
      wins++;
      won.add(pnl);
    } else if (pnl < 0) lost.add(pnl);
    best = Math.max(best, pnl);
    worst = Math.min(worst, pnl);
    barsHeld += trip.barsHeld;
  }
  const out = TRIP_SUMS;
  out.trades = trades;
  out.wins = wins;
  out.grossWin = won.value();
  out.grossLoss = -lost.value();
  out.net = all.value();
  out.best = best;
  out.worst = worst;
  out.barsHeld = barsHeld;
  return out;
}

/** See PASS: written in place, read before the next report. */
const TRIP_SUMS: TripSums = {
  trades: 0,
  wins: 0,
  grossWin: 0.5,
  grossLoss: 0.5,
  net: 0.5,
  best: 0.5,
  worst: 0.5,
  barsHeld: 0.5,
};

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
function periodEquity(curve: EquityCurve, n: number, periods: number): Float64Array {
  if (periods === n) return curve.equity.subarray(0, n);
  const eq = new Float64Array(periods);
  let k = 0;
  for (let i = 0; i < n; i++) {
    if (endsPeriod(curve.ts, i, n)) eq[k++] = curve.equity[i] as number;
  }
  return eq;
}

// The passes over the curve live in small functions of their own: run once per report, a loop
// inside the big function above would wait in the interpreter for on-stack replacement and
// then be compiled with the whole function, at several times the cost per point.

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
function periodPass(ts: Float64Array, equity: Float64Array, n: number): PeriodPass {
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
interface PeriodPass {
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
// stores them as doubles from the first write (see primeShapes). computeStats reads it before
// the next report.
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
function squaredDeviationSum(eq: Float64Array, mean: number): number {
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

/** Return of a period whose equity is `e` over the one before it (0 after a zero equity). */
function periodReturn(e: number, previous: number): number {
  return previous !== 0 ? e / previous - 1 : 0;
}

/** The number itself when finite, else null (JSON has no NaN or Infinity). */
function fin(x: number | undefined): number | null {
  return x !== undefined && Number.isFinite(x) ? x : null;
}

/**
 * Shapes primed at load. V8 gives each field of an object literal the narrowest
 * representation it has seen (small integer, then double, then any value) and, when a later
 * run widens one (the first run without trades stores null where numbers were, a long
 * drawdown puts a double where small integers were), it retires the shape and throws away
 * the optimized code of every function that used it. An optimizer's worker runs thousands of
 * short backtests and met one such first time after another; two runs here, one with nothing
 * defined and one with a fractional value in every field, widen every field before any code
 * is optimized.
 */
function primeShapes(): void {
  const trip: RoundTrip = {
    symbol: 'PRIME/USDT',
    strategyId: 'prime',
    side: 'SELL',
    entryTs: 0.5,
    exitTs: 2 ** 40 + 0.5,
    entryPrice: 1.5,
    exitPrice: 0.5,
    quantity: 0.5,
    pnl: -0.5,
    fees: 0.25,
    returnPct: -0.5,
    barsHeld: 1.5,
    closed: true,
  };
  computeStats({
    curve: { ts: new Float64Array(0), equity: new Float64Array(0) },
    trips: [],
    initialEquity: 0,
    feesPaid: 0,
    barsInMarket: 0,
  });
  computeStats({
    curve: {
      ts: Float64Array.of(0.5, 2 ** 40 + 0.5, 2 ** 41 + 0.5, 2 ** 42 + 0.5),
      equity: Float64Array.of(1.5, 0.75, 1.25, 2.5),
    },
    trips: [trip, { ...trip, pnl: 0.75 }],
    initialEquity: 1.5,
    feesPaid: 0.5,
    barsInMarket: 1.5,
    riskFreeRate: 0.5,
  });
}

primeShapes();
