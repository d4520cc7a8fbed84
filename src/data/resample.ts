import type { BarSeries } from '../model/BarSeries.js';
import { allocBarSeries } from '../model/BarSeries.js';
import { bucketStart } from './bucketStart.js';
import { checkAligned, checkResample } from './checkResample.js';

/**
 * Aggregates a series to a higher timeframe: open = first open, high = max, low = min,
 * close = last close, volume = sum, one bar per bucket that holds at least one source bar.
 * Buckets are aligned to UTC epoch boundaries, whole weeks to Monday 00:00 UTC (see
 * bucketStart). Gaps stay gaps (an empty bucket yields no bar), and a bucket only partly
 * covered — at either end of the data or around a gap — still yields its bar from the bars
 * it has, as pandas and freqtrade do; BarAggregator emits exactly the same bars. What the
 * engine and `--timeframe` deliver leaves out a first bucket that lacks base bars the data
 * would have had (FirstBucket, used by BarAggregator's dropPartialFirst and loadResearchData):
 * this function keeps it.
 * Throws ERR_DATA_TIMEFRAME when the target is not a whole multiple of the source or a
 * source bar is off its own grid.
 */
export function resample(series: BarSeries, timeframe: string): BarSeries {
  const { symbol, ts, open, high, low, close, volume, length } = series;
  const { baseMs, targetMs } = checkResample(symbol, series.timeframe, timeframe);

  // Count buckets first so the output is allocated once, at its exact size.
  let buckets = 0;
  let last = NaN;
  for (let i = 0; i < length; i++) {
    const t = ts[i] as number;
    checkAligned(symbol, series.timeframe, t, baseMs);
    const b = bucketStart(t, targetMs);
    if (b !== last) {
      buckets++;
      last = b;
    }
  }

  const out = allocBarSeries(symbol, timeframe, buckets);
  let k = -1;
  last = NaN;
  for (let i = 0; i < length; i++) {
    const b = bucketStart(ts[i] as number, targetMs);
    const h = high[i] as number;
    const l = low[i] as number;
    if (b !== last) {
      last = b;
      k++;
      out.ts[k] = b;
      out.open[k] = open[i] as number;
      out.high[k] = h;
      out.low[k] = l;
      out.volume[k] = volume[i] as number;
    } else {
      if (h > (out.high[k] as number)) out.high[k] = h;
      if (l < (out.low[k] as number)) out.low[k] = l;
      // Summed in time order, like BarAggregator, so both give bit-identical volumes.
      out.volume[k] = (out.volume[k] as number) + (volume[i] as number);
    }
    out.close[k] = close[i] as number;
  }
  return out;
}
