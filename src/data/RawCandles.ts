/**
 * Candles as a parser read them, in file order, before sorting, de-duplication and
 * timeframe checks. Arrays may be longer than `length` (allocated from a line count).
 */
export interface RawCandles {
  readonly length: number;
  readonly ts: Float64Array;
  readonly open: Float64Array;
  readonly high: Float64Array;
  readonly low: Float64Array;
  readonly close: Float64Array;
  readonly volume: Float64Array;
  /** Yahoo rows of nulls (days without prices) left out, and the line of the first; absent when none. */
  readonly nulls?: { readonly count: number; readonly firstLine: number } | undefined;
  /** 1-based line in the file where row `row` (0-based, file order) starts; for messages only. */
  lineOf(row: number): number;
}
