import { isoTime } from '../core/time.js';
import { QtsError } from '../core/QtsError.js';
import type { BarSeries } from '../model/BarSeries.js';
import { checkedTimeframeMs } from './checkedTimeframeMs.js';
import { DataErrorCode } from './DataErrorCode.js';
import type { DataWarning } from './DataWarning.js';
import { DataWarningCode } from './DataWarning.js';
import { inferTimeframe } from './inferTimeframe.js';
import type { RawCandles } from './RawCandles.js';

/** Where the candles came from and what they are, for the series and for messages. */
export interface CandleSource {
  readonly file: string;
  readonly symbol: string;
  /** Known timeframe (from the caller or the file name); inferred from the rows when undefined. */
  readonly timeframe: string | undefined;
}

/**
 * Turns parsed rows into a BarSeries under the loader policy (see loadBarSeries): sorts
 * unsorted rows, drops exact duplicates, refuses conflicting duplicates and bars closer
 * than one timeframe, and reports gaps and off-grid spacing as warnings.
 */
export function normalizeCandles(
  raw: RawCandles,
  src: CandleSource,
): { series: BarSeries; warnings: DataWarning[] } {
  const { file } = src;
  const n = raw.length;
  const { ts } = raw;
  const warnings: DataWarning[] = [];
  if (raw.nulls !== undefined) warnings.push(nullRowsWarning(file, raw.nulls.count, raw.nulls.firstLine));

  let outOfOrder = 0;
  let ties = 0;
  for (let i = 1; i < n; i++) {
    const d = (ts[i] as number) - (ts[i - 1] as number);
    if (d < 0) outOfOrder++;
    else if (d === 0) ties++;
  }

  // order[k] = file row of the k-th bar in time order; identity (and no copy) in the common
  // case of a clean, sorted file.
  let order: Uint32Array | undefined;
  if (outOfOrder > 0) {
    order = new Uint32Array(n);
    for (let i = 0; i < n; i++) order[i] = i;
    // Ties broken by file row, so "first" and "second" duplicate keep the file's meaning.
    order.sort((a, b) => (ts[a] as number) - (ts[b] as number) || a - b);
    warnings.push({
      code: DataWarningCode.Unsorted,
      message: `${file}: ${outOfOrder} rows were earlier than the row before them; sorted by time`,
      count: outOfOrder,
    });
  }

  let dropped = 0;
  if (outOfOrder > 0 || ties > 0) {
    const kept = new Uint32Array(n);
    let m = 0;
    for (let k = 0; k < n; k++) {
      const row = order ? (order[k] as number) : k;
      const prev = m > 0 ? (kept[m - 1] as number) : -1;
      if (prev >= 0 && ts[prev] === ts[row]) {
        if (!sameCandle(raw, prev, row)) {
          const a = raw.lineOf(Math.min(prev, row));
          const b = raw.lineOf(Math.max(prev, row));
          throw new QtsError(
            DataErrorCode.Duplicate,
            `${file}:${b}: timestamp ${isoTime(ts[row] as number)} also on line ${a} with different values`,
            { file, lines: [a, b] },
          );
        }
        dropped++;
        continue;
      }
      kept[m++] = row;
    }
    order = kept.subarray(0, m);
    if (dropped > 0) {
      warnings.push({
        code: DataWarningCode.DuplicatesDropped,
        message: `${file}: dropped ${dropped} rows repeating an earlier row exactly`,
        count: dropped,
      });
    }
  }

  const length = n - dropped;
  const sortedTs = gather(ts, order, length);
  const timeframe = src.timeframe ?? inferTimeframe(sortedTs, length);
  if (timeframe === undefined) {
    throw new QtsError(
      DataErrorCode.Timeframe,
      `${file}: cannot infer the timeframe from ${length === 1 ? 'a single bar' : 'the spacing of the rows'}; put it in the file name (BTC_USDT-1h.csv) or pass it (qts data import --timeframe)${secondsHint(sortedTs, length)}`,
      { file },
    );
  }
  const out: BarSeries = {
    symbol: src.symbol,
    timeframe,
    length,
    ts: sortedTs,
    open: gather(raw.open, order, length),
    high: gather(raw.high, order, length),
    low: gather(raw.low, order, length),
    close: gather(raw.close, order, length),
    volume: gather(raw.volume, order, length),
  };
  checkSpacing(out, raw, order, file, checkedTimeframeMs(timeframe), warnings);
  return { series: out, warnings };
}

function nullRowsWarning(file: string, count: number, firstLine: number): DataWarning {
  const message =
    count === 1
      ? `${file}: skipped 1 row of nulls (a day without prices), on line ${firstLine}; its day is left as a gap`
      : `${file}: skipped ${count} rows of nulls (days without prices), the first on line ${firstLine}; their days are left as gaps`;
  return { code: DataWarningCode.NullRows, message, count };
}

/** Unix ms before this (1973-03-03) are more likely Unix seconds of today than bars of 1970-73. */
const SECONDS_LIKELY_BELOW = 1e11;

/**
 * The likely cause of a timeframe error in a file whose times all fall in 1970-73: its
 * timestamps are Unix seconds (as some exchanges and tools write them), read as milliseconds.
 */
function secondsHint(ts: Float64Array, length: number): string {
  return length > 0 && (ts[length - 1] as number) < SECONDS_LIKELY_BELOW
    ? '; the times fall in 1970-73: are the timestamps Unix seconds? They must be milliseconds'
    : '';
}

/**
 * The likely cause of a timeframe error between bars 28 to 31 days apart: the file holds
 * calendar months (a Yahoo monthly download), whose lengths differ, so no fixed timeframe fits.
 */
function monthsHint(tfMs: number, d: number): string {
  return tfMs >= 28 * DAY_MS && tfMs <= 31 * DAY_MS && d >= 28 * DAY_MS
    ? '; the bars look like calendar months, which are not a supported timeframe (their lengths differ): load daily or weekly bars instead'
    : '';
}

function checkSpacing(
  s: BarSeries,
  raw: RawCandles,
  order: Uint32Array | undefined,
  file: string,
  tfMs: number,
  warnings: DataWarning[],
): void {
  const ts = s.ts;
  // Daily files without a single weekend bar come from a weekday exchange calendar (stocks):
  // weekends there are closures, not missing data, so only absent weekdays count.
  const weekdaysOnly = tfMs === DAY_MS && !hasWeekendBar(ts);
  let missing = 0;
  let gaps = 0;
  let largest = 0;
  let largestAfter = 0;
  let offGrid = 0;
  for (let i = 1; i < s.length; i++) {
    const d = (ts[i] as number) - (ts[i - 1] as number);
    if (d === tfMs) continue;
    if (d < tfMs) {
      // Bars closer than one timeframe overlap: the file is not at this timeframe (or mixes
      // two), and every resample or indicator over it would be wrong.
      const line = raw.lineOf(order ? (order[i] as number) : i);
      const prevLine = raw.lineOf(order ? (order[i - 1] as number) : i - 1);
      throw new QtsError(
        DataErrorCode.Timeframe,
        `${file}:${line}: bar at ${isoTime(ts[i] as number)} starts ${d} ms after the bar on line ${prevLine}, less than one ${s.timeframe} bar${secondsHint(ts, s.length)}${monthsHint(tfMs, d)}`,
        { file, line },
      );
    }
    if (d % tfMs !== 0) {
      offGrid++;
      continue;
    }
    const bars = weekdaysOnly ? weekdaysBetween(ts[i - 1] as number, ts[i] as number) : d / tfMs - 1;
    if (bars === 0) continue;
    missing += bars;
    gaps++;
    if (bars > largest) {
      largest = bars;
      largestAfter = ts[i - 1] as number;
    }
  }
  if (missing > 0) {
    const weekdays = weekdaysOnly ? ' (weekdays; weekend closures not counted)' : '';
    const where = gaps === 1 ? 'in one gap' : `in ${gaps} gaps; the largest, ${bars(largest)},`;
    warnings.push({
      code: DataWarningCode.Gaps,
      message: `${file}: ${missing} missing ${s.timeframe} ${missing === 1 ? 'bar' : 'bars'}${weekdays} ${where} after ${isoTime(largestAfter)}`,
      count: missing,
    });
  }
  if (offGrid > 0) {
    warnings.push({
      code: DataWarningCode.OffGrid,
      message: `${file}: ${offGrid === 1 ? '1 bar starts' : `${offGrid} bars start`} a fractional number of ${s.timeframe} bars after the previous one`,
      count: offGrid,
    });
  }
}

function sameCandle(r: RawCandles, a: number, b: number): boolean {
  return (
    r.open[a] === r.open[b] &&
    r.high[a] === r.high[b] &&
    r.low[a] === r.low[b] &&
    r.close[a] === r.close[b] &&
    r.volume[a] === r.volume[b]
  );
}

// Column in time order, exactly `length` long; shares the parser's buffer when no reordering
// is needed (a view, not a copy, of a clean file's million rows).
function gather(col: Float64Array, order: Uint32Array | undefined, length: number): Float64Array {
  if (!order) return col.length === length ? col : col.subarray(0, length);
  const out = new Float64Array(length);
  for (let k = 0; k < length; k++) out[k] = col[order[k] as number] as number;
  return out;
}

const DAY_MS = 86_400_000;

/** Whether any bar opens on a Saturday or Sunday (UTC). */
function hasWeekendBar(ts: Float64Array): boolean {
  for (let i = 0; i < ts.length; i++) {
    const day = new Date(ts[i] as number).getUTCDay();
    if (day === 0 || day === 6) return true;
  }
  return false;
}

/** Weekdays strictly between two daily bar times. */
function weekdaysBetween(from: number, to: number): number {
  let n = 0;
  for (let t = from + DAY_MS; t < to; t += DAY_MS) {
    const day = new Date(t).getUTCDay();
    if (day !== 0 && day !== 6) n++;
  }
  return n;
}

/** "1 bar", "3 bars". */
function bars(n: number): string {
  return n === 1 ? '1 bar' : `${n} bars`;
}
