import type { BarSeries } from '../model/BarSeries.js';

/** What data a research run used, for its report: enough to reproduce it, nothing that varies between runs. */
export interface DataInfo {
  readonly files: readonly string[];
  readonly symbols: readonly string[];
  readonly timeframe: string;
  /** Bars of the first series (the one walk-forward windows and look-ahead cuts count in). */
  readonly bars: number;
  readonly startTs: number | null;
  readonly endTs: number | null;
}

/** The DataInfo of a run over these series. */
export function dataInfo(series: readonly BarSeries[], files: readonly string[]): DataInfo {
  const first = series[0];
  return {
    files: [...files],
    symbols: series.map((s) => s.symbol),
    timeframe: first?.timeframe ?? '',
    bars: first?.length ?? 0,
    startTs: first !== undefined && first.length > 0 ? (first.ts[0] as number) : null,
    endTs: first !== undefined && first.length > 0 ? (first.ts[first.length - 1] as number) : null,
  };
}
