import { QtsError } from '../core/QtsError.js';
import { parseDateRange } from '../core/dateOption.js';
import { dataFileList } from '../data/dataFileList.js';
import { loadBarSeries } from '../data/loadBarSeries.js';
import { bucketStart } from '../data/bucketStart.js';
import { checkResample } from '../data/checkResample.js';
import { FirstBucket } from '../data/FirstBucket.js';
import { resample } from '../data/resample.js';
import { sliceSeries } from '../data/sliceSeries.js';
import type { BarSeries } from '../model/BarSeries.js';
import { repeatedSymbol } from '../model/BarSeries.js';

/** Which data a research command runs on (the data options of `qts backtest`). */
export interface ResearchDataOptions {
  /** Candle files; a comma inside one entry separates several. */
  readonly files: readonly string[];
  readonly adjusted?: boolean;
  readonly timeframe?: string;
  /** YYYY-MM-DD (UTC) or an ISO time: first bar used. */
  readonly from?: string;
  /** End of the data used, exclusive. */
  readonly to?: string;
  /** The symbol a file's candles trade as, where its name alone does not say (perpetuals). */
  readonly symbolOf?: (file: string) => string;
}

/**
 * Where the first whole higher bar of `base` begins: its first bar's bucket when that bucket is
 * whole, else the next bucket. The bucket straddling --from, or the data's start (5m data from
 * 10:35 resampled to 1h), holds only some of its base bars, and its open is not the period's
 * open: it is left out, as the engine leaves out such a first bar of a higher timeframe a
 * strategy subscribes to (BarAggregator's dropPartialFirst). A bucket that lacks only closed
 * time (daily stock data from the Tuesday after a Monday holiday, to 1w) is whole: the rule is
 * FirstBucket's, judged on the bars the engine would have seen when the bucket ended.
 * `before`: the open time of the data's last bar before `base` (cut off by --from), if any.
 */
function firstWholeBucket(
  base: BarSeries,
  before: number | undefined,
  timeframe: string,
): number | undefined {
  if (base.length === 0) return undefined;
  const { baseMs, targetMs } = checkResample(base.symbol, base.timeframe, timeframe);
  const first = base.ts[0] as number;
  const bucket = bucketStart(first, targetMs);
  const judge = new FirstBucket(bucket, first, before);
  // The bucket's later bars and the one that ends it, as BarAggregator sees them.
  for (let i = 1; i < base.length && judge.known() === undefined; i++) {
    const ts = base.ts[i] as number;
    judge.see(ts);
    if (bucketStart(ts, targetMs) !== bucket || ts + baseMs === bucket + targetMs) break;
  }
  return judge.whole() ? bucket : bucket + targetMs;
}

/** Loads, resamples and cuts the candle files; warnings are the loader's (gaps, duplicates dropped). */
export function loadResearchData(o: ResearchDataOptions): {
  series: BarSeries[];
  files: string[];
  warnings: string[];
} {
  const files = dataFileList(o.files);
  if (files.length === 0) throw new QtsError('ERR_INVALID_OPTION', '--data: no file given');
  const { from, to } = parseDateRange(o.from, o.to);
  const warnings: string[] = [];
  const series = files.map((file) => {
    const loaded = loadBarSeries(file, {
      ...(o.adjusted ? { adjusted: true } : {}),
      ...(o.symbolOf ? { symbol: o.symbolOf(file) } : {}),
    });
    for (const w of loaded.warnings) warnings.push(w.message);
    const s = loaded.series;
    if (o.timeframe === undefined || o.timeframe === s.timeframe) return sliceSeries(s, from, to);
    // The range cuts the base bars before they are aggregated: a higher-timeframe bar that
    // starts before --to would otherwise carry base bars from after it (the weekly bar of a
    // Wednesday --to holds that Thursday and Friday), data the run was told not to use.
    const cut = sliceSeries(s, from, to);
    const skipped = from === undefined ? 0 : sliceSeries(s, undefined, from).length;
    const before = skipped > 0 ? (s.ts[skipped - 1] as number) : undefined;
    return resample(sliceSeries(cut, firstWholeBucket(cut, before, o.timeframe)), o.timeframe);
  });
  const repeated = repeatedSymbol(series);
  if (repeated !== undefined) {
    const [first, again] = repeated.map((i) => files[i] ?? '?');
    throw new QtsError(
      'ERR_BACKTEST_DUPLICATE_SYMBOL',
      `--data: ${first} and ${again} are both ${series[repeated[1]]?.symbol ?? '?'}: one file per symbol`,
    );
  }
  if (series.some((s) => s.length === 0))
    throw new QtsError('ERR_BACKTEST_NO_DATA', 'no bars left in the data after --from/--to');
  return { series, files, warnings };
}
