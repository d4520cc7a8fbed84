/**
 * Loading candle files into a BarSeries.
 *
 * Formats, detected from the content (never from the extension):
 * - JSON (first non-blank character `[` or `{`): an array of ccxt OHLCV arrays `[ts,o,h,l,c,v]` or
 *   of objects `{timestamp|ts|time, open, high, low, close, volume}`.
 * - freqtrade CSV, header `timestamp,open,high,low,close,volume`, timestamp = open time in
 *   Unix ms. Symbol and timeframe come from freqtrade's file name
 *   (`ETH_BTC-5m.csv` → ETH/BTC 5m; `XRP_USDT_USDT-5m-futures.csv` → XRP/USDT:USDT 5m).
 * - Yahoo CSV, header `Date,Open,High,Low,Close,Adj Close,Volume`, Date = YYYY-MM-DD at
 *   UTC midnight; symbol `{TICKER}/USD` from the name (`orcl-1995-2014.txt` → ORCL/USD).
 *   Priced from Close by default. With `adjusted: true`, open, high, low and close of each
 *   row are all multiplied by that row's AdjClose/Close, as backtrader's `adjclose` does, so
 *   splits and dividends no longer show as price jumps; volume is left as traded. A row of
 *   nulls after its date (Yahoo's `2015-01-19,null,…` for a day it lists without prices) holds
 *   no candle: it is left out and its day is a gap; warning DATA_NULL_ROWS with the count and
 *   the first line. A row only partly null is malformed.
 * CSV header names are matched ignoring case and surrounding spaces; any CSV field may be
 * quoted, as spreadsheets and R write them.
 * `opts.symbol` / `opts.timeframe` override the name. With no timeframe from either, it is
 * the most common spacing between rows.
 *
 * Policy — repair only what is unambiguous, refuse what is not, and say what was done:
 * - a malformed row (wrong column count, empty/non-numeric/NaN value, non-positive price,
 *   negative volume, high below open or close, low above them, bad date or timestamp — one
 *   past the year 9999 named as likely micro- or nanoseconds) → ERR_DATA_PARSE, message
 *   `FILE:LINE: what was wrong`; the first bad row stops the load,
 *   because a backtest on silently skipped rows is a backtest on different data;
 * - empty file, no data rows, unknown header, invalid JSON → ERR_DATA_FORMAT naming the file;
 *   missing file → ERR_DATA_NOT_FOUND; a directory or an unreadable file → ERR_DATA_UNREADABLE;
 * - rows out of time order → sorted; warning DATA_UNSORTED, count = rows earlier than the
 *   row before them in the file;
 * - the same timestamp twice with identical values → later copies dropped; warning
 *   DATA_DUPLICATES_DROPPED with the count;
 * - the same timestamp twice with different values → ERR_DATA_DUPLICATE naming both lines
 *   (which one is true cannot be known);
 * - two bars closer than one timeframe → ERR_DATA_TIMEFRAME naming both lines (wrong
 *   timeframe given, or a file mixing two);
 * - missing bars (gaps) → kept as gaps, never filled; warning DATA_GAPS, count = missing bars,
 *   message gives the number of gaps and the largest. Daily stock files report weekends and
 *   holidays as gaps too: the loader knows no exchange calendar;
 * - spacing that is not a whole number of bars → warning DATA_OFF_GRID with the count.
 */
import type { BarSeries } from '../model/BarSeries.js';
import { candleFileHead, candleFormatError } from './candleFileHead.js';
import { checkedTimeframeMs } from './checkedTimeframeMs.js';
import type { DataWarning } from './DataWarning.js';
import { normalizeCandles } from './normalizeCandles.js';
import { parseCandleCsv } from './parseCandleCsv.js';
import { parseCandleJson } from './parseCandleJson.js';
import { parseDataFileName, symbolOfFile } from './parseDataFileName.js';
import { readDataFile } from './readDataFile.js';
import type { RawCandles } from './RawCandles.js';

/** Options of loadBarSeries; each overrides what the file name says. */
export interface LoadBarSeriesOptions {
  readonly symbol?: string;
  readonly timeframe?: string;
  /** Yahoo files only: price from Adj Close (O/H/L/C scaled by AdjClose/Close). */
  readonly adjusted?: boolean;
}

/**
 * Reads a candle file (freqtrade CSV, Yahoo CSV or JSON; see the module comment for the
 * formats and the repair/refuse policy) into a BarSeries sorted by open time, with the
 * warnings about what was repaired or noticed.
 */
export function loadBarSeries(
  path: string,
  opts: LoadBarSeriesOptions = {},
): { series: BarSeries; warnings: DataWarning[] } {
  if (opts.timeframe !== undefined) checkedTimeframeMs(opts.timeframe);
  const bytes = readDataFile(path);
  const name = parseDataFileName(path);

  const head = candleFileHead(bytes, path);
  if (opts.adjusted === true && head.layout !== 'yahoo') {
    throw candleFormatError(path, 'adjusted prices need an Adj Close column (Yahoo CSV)');
  }
  // CSV bytes are parsed as they are: decoding a million-row file into one string first
  // would add about half to the load time.
  const raw: RawCandles =
    head.layout === 'json'
      ? parseCandleJson(bytes.toString('utf8', head.bodyStart), path, head.lineBefore)
      : parseCandleCsv({
          bytes,
          file: path,
          layout: head.layout,
          bodyStart: head.bodyStart,
          headerLine: head.lineBefore,
          adjusted: opts.adjusted === true,
        });
  if (raw.length === 0) throw candleFormatError(path, 'no data rows');

  const symbol = opts.symbol ?? symbolOfFile(name, head.layout === 'yahoo');
  return normalizeCandles(raw, { file: path, symbol, timeframe: opts.timeframe ?? name.timeframe });
}
