import { ExactSum } from '../core/ExactSum.js';
import { periodEquity, periodPass, squaredDeviationSum } from './curvePasses.js';
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

/** See PASS (curvePasses.ts): written in place, read before the next report. */
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
