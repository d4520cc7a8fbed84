import { timeframeToMs } from '../core/time.js';
import type { BarSeries } from '../model/BarSeries.js';
import type { DataWarning } from './DataWarning.js';
import { loadBarSeries } from './loadBarSeries.js';

/** Published mark prices of one symbol: times (Unix ms) and prices, in time order. */
export interface MarkPriceSeries {
  readonly symbol: string;
  readonly timeframe: string;
  readonly ts: readonly number[];
  readonly price: readonly number[];
}

/**
 * Reads a mark-price candle file (freqtrade `XRP_USDT_USDT-8h-mark.csv`: the candle
 * format, checked and repaired exactly like trade candles) as the points a venue would have
 * published: each candle's open at its open time, and the last candle's close at its end.
 * Highs and lows are left out on purpose: when inside a candle they happened is unknown,
 * and placing them anywhere would invent a path.
 */
export function loadMarkPrices(
  path: string,
  opts: { symbol?: string; timeframe?: string } = {},
): { marks: MarkPriceSeries; warnings: DataWarning[] } {
  const { series, warnings } = loadBarSeries(path, opts);
  return { marks: markPointsOf(series), warnings };
}

/** The published points of a mark-price candle series (opens, then the last close at its end). */
export function markPointsOf(series: BarSeries): MarkPriceSeries {
  const ts: number[] = [];
  const price: number[] = [];
  for (let i = 0; i < series.length; i++) {
    ts.push(series.ts[i] as number);
    price.push(series.open[i] as number);
  }
  if (series.length > 0) {
    ts.push((series.ts[series.length - 1] as number) + timeframeToMs(series.timeframe));
    price.push(series.close[series.length - 1] as number);
  }
  return { symbol: series.symbol, timeframe: series.timeframe, ts, price };
}
