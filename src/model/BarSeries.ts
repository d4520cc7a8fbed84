import type { Bar } from './Bar.js';

/**
 * Columnar candles of one symbol and timeframe: the hot representation for history and
 * backtests (six Float64Arrays, no per-bar objects kept alive). `ts` holds open times in
 * epoch milliseconds, strictly increasing.
 */
export interface BarSeries {
  readonly symbol: string;
  readonly timeframe: string;
  readonly length: number;
  readonly ts: Float64Array;
  readonly open: Float64Array;
  readonly high: Float64Array;
  readonly low: Float64Array;
  readonly close: Float64Array;
  readonly volume: Float64Array;
}

/** Allocates an empty series of `length` bars. */
export function allocBarSeries(symbol: string, timeframe: string, length: number): BarSeries {
  return {
    symbol,
    timeframe,
    length,
    ts: new Float64Array(length),
    open: new Float64Array(length),
    high: new Float64Array(length),
    low: new Float64Array(length),
    close: new Float64Array(length),
    volume: new Float64Array(length),
  };
}

/** Bar i of a series as a message (closed). */
export function barAt(s: BarSeries, i: number): Bar {
  return {
    symbol: s.symbol,
    timeframe: s.timeframe,
    ts: s.ts[i] as number,
    open: s.open[i] as number,
    high: s.high[i] as number,
    low: s.low[i] as number,
    close: s.close[i] as number,
    volume: s.volume[i] as number,
    closed: true,
  };
}
