import type { BarSeries } from '../model/BarSeries.js';

/** Bars with open time in [from, to) (either bound optional), as views on the same arrays. */
export function sliceSeries(s: BarSeries, from?: number, to?: number): BarSeries {
  let lo = 0;
  let hi = s.length;
  if (from !== undefined) while (lo < hi && (s.ts[lo] as number) < from) lo++;
  if (to !== undefined) while (hi > lo && (s.ts[hi - 1] as number) >= to) hi--;
  return {
    symbol: s.symbol,
    timeframe: s.timeframe,
    length: hi - lo,
    ts: s.ts.subarray(lo, hi),
    open: s.open.subarray(lo, hi),
    high: s.high.subarray(lo, hi),
    low: s.low.subarray(lo, hi),
    close: s.close.subarray(lo, hi),
    volume: s.volume.subarray(lo, hi),
  };
}
