import type { EquityPoint } from '../backtest/BacktestReport.js';
import { REPORT_EQUITY_POINTS, downsampleEquity } from '../backtest/BacktestReport.js';
import { runBacktest } from '../backtest/runBacktest.js';
import type { BacktestStats } from '../backtest/stats.js';
import { computeStats } from '../backtest/stats.js';
import type { RoundTrip } from '../backtest/types.js';
import { sliceSeries } from '../data/sliceSeries.js';
import type { BarSeries } from '../model/BarSeries.js';
import type { AnyStrategyClass } from '../strategy/Strategy.js';
import type { BacktestSettings } from './BacktestSettings.js';
import { backtestConfig } from './BacktestSettings.js';
import type { ComboEvaluator } from './ComboEvaluator.js';
import type { ComboMetrics } from './ComboMetrics.js';
import { metricsOf } from './ComboMetrics.js';
import type { DataInfo } from './DataInfo.js';
import type { Objective } from './objectives.js';
import type { OptimizationRow, SearchMethod } from './optimize.js';
import { optimize } from './optimize.js';
import type { ParamAxis, ParamSpace, ParamValue } from './ParamSpace.js';
import type { WalkForwardWindow, WindowSpec } from './walkForwardWindows.js';
import { walkForwardWindows } from './walkForwardWindows.js';

/** Options of {@link walkForward}. */
export interface WalkForwardOptions {
  readonly series: readonly BarSeries[];
  readonly dataFiles?: readonly string[];
  readonly strategy: AnyStrategyClass;
  readonly space: ParamSpace;
  readonly method: SearchMethod;
  readonly objective: Objective;
  readonly samples?: number;
  readonly batchSize?: number;
  readonly maxCombos?: number;
  readonly seed: number;
  readonly settings: BacktestSettings;
  readonly windows: WindowSpec;
  /** Window being optimized, combinations done in it and planned. */
  readonly onProgress?: (window: number, windows: number, done: number, planned: number) => void;
}

/** One window's outcome. */
export interface WalkForwardWindowResult {
  readonly index: number;
  readonly inSample: { readonly from: number; readonly to: number; readonly bars: number };
  readonly outOfSample: { readonly from: number; readonly to: number | null; readonly bars: number };
  readonly evaluated: number;
  readonly skipped: number;
  /** Best in-sample combination, null when no combination had a value for the objective (nothing traded out of sample). */
  readonly best: Readonly<Record<string, ParamValue>> | null;
  readonly inSampleBest: OptimizationRow | null;
  /** Equity the out-of-sample run started with: the previous window's final equity. */
  readonly oosInitialEquity: number;
  /** The out-of-sample backtest of the best combination, null without one. */
  readonly oos: ComboMetrics | null;
  /** OOS CAGR ÷ in-sample CAGR (walk-forward efficiency), null unless the in-sample CAGR is positive. */
  readonly efficiency: number | null;
}

/** The JSON result of `qts walk-forward`; like the optimization report, independent of where it ran. */
export interface WalkForwardReport {
  readonly schemaVersion: 1;
  readonly kind: 'walk-forward';
  readonly strategy: string;
  readonly method: SearchMethod;
  readonly objective: string;
  readonly maximize: boolean;
  readonly seed: number;
  readonly windowSpec: WindowSpec & { readonly step: number };
  readonly space: readonly ParamAxis[];
  readonly data: DataInfo;
  readonly backtest: BacktestSettings;
  readonly windows: readonly WalkForwardWindowResult[];
  /** Statistics of the out-of-sample runs stitched end to end (capital carried from window to window). */
  readonly oos: {
    readonly initialEquity: number;
    readonly finalEquity: number;
    readonly stats: BacktestStats;
    /** False when some OOS window had more bars than a report keeps (its curve was downsampled, so Sharpe is approximate). */
    readonly curveExact: boolean;
    readonly equityCurve: readonly EquityPoint[];
  };
  /** Stitched OOS CAGR ÷ mean in-sample CAGR of the chosen combinations (Pardo's walk-forward efficiency). */
  readonly efficiency: number | null;
}

/**
 * Each out-of-sample window starts flat with the capital the previous one was worth at its last
 * mark: a trip a window left open ended there, at that mark, as far as the stitched record is
 * concerned. Counted as closed, so the trade statistics cover every trip the equity includes
 * (left out, a +48 % record showed a profit factor of 0.48). Only the last window's stay open.
 */
function endTripsAtWindowEnd(trips: RoundTrip[]): void {
  for (let k = 0; k < trips.length; k++) {
    const t = trips[k] as RoundTrip;
    if (!t.closed) trips[k] = { ...t, closed: true };
  }
}

/**
 * Walk-forward analysis: for each window, optimize on the in-sample bars, then backtest the
 * best combination on the following out-of-sample bars it never saw. Out-of-sample runs
 * start cold (indicators warm up inside each window) with the equity the previous one
 * ended with, and their curves are stitched into one out-of-sample record: the honest
 * estimate of how the optimization procedure, not one lucky combination, would have done.
 */
export async function walkForward(
  evaluator: ComboEvaluator,
  o: WalkForwardOptions,
): Promise<WalkForwardReport> {
  const primary = o.series[0] as BarSeries;
  const windows = walkForwardWindows(primary.ts, o.windows);
  const results: WalkForwardWindowResult[] = [];
  const curveTs: number[] = [];
  const curveEq: number[] = [];
  const trips: RoundTrip[] = [];
  let feesPaid = 0;
  let barsInMarket = 0;
  let curveExact = true;
  let equity = o.settings.initialCash;

  for (const w of windows) {
    endTripsAtWindowEnd(trips);
    const outcome = await optimize(evaluator, {
      strategy: o.strategy,
      space: o.space,
      method: o.method,
      objective: o.objective,
      seed: o.seed,
      from: w.isFrom,
      to: w.isTo,
      ...(o.samples === undefined ? {} : { samples: o.samples }),
      ...(o.batchSize === undefined ? {} : { batchSize: o.batchSize }),
      ...(o.maxCombos === undefined ? {} : { maxCombos: o.maxCombos }),
      onProgress: (done, planned) => o.onProgress?.(w.index, windows.length, done, planned),
    });
    const start = equity;
    let oos: ComboMetrics | null = null;
    if (outcome.best !== null) {
      const slice = o.series.map((s) => sliceSeries(s, w.oosFrom, w.oosTo ?? undefined));
      const { report } = runBacktest(
        backtestConfig(o.settings, slice, o.strategy, outcome.best.params, start),
      );
      oos = metricsOf(report);
      for (const p of report.equityCurve) {
        curveTs.push(p.ts);
        curveEq.push(p.equity);
      }
      if (report.bars > REPORT_EQUITY_POINTS) curveExact = false;
      trips.push(...report.tradeList);
      feesPaid += report.feesPaid;
      barsInMarket += Math.round(report.exposure * report.bars);
      equity = report.finalEquity;
    } else {
      // Nothing to trade: the capital waits out the window.
      for (let i = w.oosStart; i < w.oosEnd; i++) {
        curveTs.push(primary.ts[i] as number);
        curveEq.push(equity);
      }
    }
    results.push(windowResult(w, outcome.rows.length, outcome.skipped, outcome.best, start, oos));
  }

  const curve = { ts: Float64Array.from(curveTs), equity: Float64Array.from(curveEq) };
  const stats = computeStats({ curve, trips, initialEquity: o.settings.initialCash, feesPaid, barsInMarket });
  const isCagrs = results.flatMap((r) =>
    (r.inSampleBest?.cagr ?? null) === null ? [] : [r.inSampleBest?.cagr as number],
  );
  const meanIsCagr = isCagrs.length > 0 ? isCagrs.reduce((a, b) => a + b, 0) / isCagrs.length : null;
  return {
    schemaVersion: 1,
    kind: 'walk-forward',
    strategy: o.strategy.id,
    method: o.method,
    objective: o.objective.id,
    maximize: o.objective.maximize,
    seed: o.seed,
    windowSpec: { ...o.windows, step: o.windows.step ?? o.windows.outOfSample },
    space: o.space.axes,
    data: {
      files: [...(o.dataFiles ?? [])],
      symbols: o.series.map((s) => s.symbol),
      timeframe: primary.timeframe,
      bars: primary.length,
      startTs: primary.length > 0 ? (primary.ts[0] as number) : null,
      endTs: primary.length > 0 ? (primary.ts[primary.length - 1] as number) : null,
    },
    backtest: o.settings,
    windows: results,
    oos: {
      initialEquity: o.settings.initialCash,
      finalEquity: equity,
      stats,
      curveExact,
      equityCurve: downsampleEquity(curve, REPORT_EQUITY_POINTS),
    },
    efficiency: ratio(stats.cagr, meanIsCagr),
  };
}

function windowResult(
  w: WalkForwardWindow,
  evaluated: number,
  skipped: number,
  best: OptimizationRow | null,
  start: number,
  oos: ComboMetrics | null,
): WalkForwardWindowResult {
  return {
    index: w.index,
    inSample: { from: w.isFrom, to: w.isTo, bars: w.isEnd - w.isStart },
    outOfSample: { from: w.oosFrom, to: w.oosTo, bars: w.oosEnd - w.oosStart },
    evaluated,
    skipped,
    best: best?.params ?? null,
    inSampleBest: best,
    oosInitialEquity: start,
    oos,
    efficiency: ratio(oos?.cagr ?? null, best?.cagr ?? null),
  };
}

/** a ÷ b when b is a positive number (an efficiency against a losing in-sample run means nothing). */
function ratio(a: number | null, b: number | null): number | null {
  if (a === null || b === null || !(b > 0)) return null;
  const r = a / b;
  return Number.isFinite(r) ? r : null;
}
