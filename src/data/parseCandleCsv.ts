import { candleProblem, timestampProblem } from './candleProblem.js';
import { CsvCursor, nullFieldsEnd } from './CsvCursor.js';
import type { RawCandles } from './RawCandles.js';

/**
 * The CSV layouts we read: `freqtrade` is `timestamp,open,high,low,close,volume` with the
 * open time in Unix ms; `yahoo` is `Date,Open,High,Low,Close,Adj Close,Volume` with a
 * YYYY-MM-DD date taken as UTC midnight.
 */
export type CsvLayout = 'freqtrade' | 'yahoo';

const FREQTRADE_COLUMNS = ['timestamp', 'open', 'high', 'low', 'close', 'volume'];
const YAHOO_COLUMNS = ['date', 'open', 'high', 'low', 'close', 'adj close', 'volume'];

/** The rows of a candle CSV to parse: its raw bytes, from `bodyStart` (just after the header line). */
export interface CsvBody {
  readonly bytes: Buffer;
  /** For messages. */
  readonly file: string;
  readonly layout: CsvLayout;
  readonly bodyStart: number;
  /** Line number of the header (the line before `bodyStart`), for messages. */
  readonly headerLine: number;
  /** Yahoo only: O/H/L/C all multiplied by the row's AdjClose/Close. */
  readonly adjusted: boolean;
}

/**
 * Parses the rows of a candle CSV into columns. Every malformed row throws ERR_DATA_PARSE
 * `FILE:LINE: what`.
 */
export function parseCandleCsv(body: CsvBody): RawCandles {
  const { bytes, layout, bodyStart, headerLine, adjusted } = body;
  const cur = csvCursor(body);
  // Size the columns from the length of the first rows: counting every line first would
  // cost a tenth of the whole load; a rare underestimate grows the arrays once or twice.
  let cols = allocColumns(estimateRows(bytes, bodyStart));
  let n = 0;
  for (;;) {
    n = readRows(cur, layout === 'yahoo', adjusted, cols, n);
    if (n < cols.ts.length) break;
    cols = grownColumns(cols, Math.ceil(n * 1.5) + 1024, n);
  }
  const nulls = cur.nullRows > 0 ? { count: cur.nullRows, firstLine: cur.firstNullLine } : undefined;
  const yahoo = layout === 'yahoo';
  return { length: n, ...cols, nulls, lineOf: (row) => csvLineOf(bytes, bodyStart, headerLine, yahoo, row) };
}

/** Six columns of candles, rows written from index 0. */
export type CandleColumns = Pick<RawCandles, 'ts' | 'open' | 'high' | 'low' | 'close' | 'volume'>;

/**
 * `parseCandleCsv` into columns made by the caller (shared with another thread), from row
 * `at` on: the row count after the last row, or -1 when the rows do not fit. Throws as
 * parseCandleCsv does.
 */
export function parseCandleCsvInto(body: CsvBody, into: CandleColumns, at: number): number {
  const cur = csvCursor(body);
  const n = readRows(cur, body.layout === 'yahoo', body.adjusted, into, at);
  return n === into.ts.length && cur.nextLine() ? -1 : n;
}

function csvCursor(b: CsvBody): CsvCursor {
  const columns = b.layout === 'yahoo' ? YAHOO_COLUMNS : FREQTRADE_COLUMNS;
  return new CsvCursor(b.bytes, b.file, b.bodyStart, b.headerLine, columns);
}

/**
 * Rows from the cursor into the columns from row `at` on, checked, until the file ends or the
 * columns are full (the next line is then left unread); returns the row count reached.
 */
function readRows(
  cur: CsvCursor,
  yahoo: boolean,
  adjusted: boolean,
  cols: CandleColumns,
  at: number,
): number {
  const { ts, open, high, low, close, volume } = cols;
  const capacity = ts.length;
  // Yahoo: [date, open, high, low, close, adj close, volume]; freqtrade: [ts, o, h, l, c, v].
  const row = new Float64Array(yahoo ? 7 : 6);
  const v = yahoo ? 6 : 5;
  let n = at;
  while (n < capacity && cur.nextLine()) {
    if (yahoo) {
      row[0] = cur.date('date');
      // A day Yahoo lists without prices holds no candle: left out, counted, a gap like any other.
      if (cur.skipNullRow(6)) continue;
      cur.numbers(row, 1);
    } else {
      cur.numbers(row, 0);
    }
    const t = row[0] as number;
    let o = row[1] as number;
    let h = row[2] as number;
    let l = row[3] as number;
    let c = row[4] as number;
    const vol = row[v] as number;
    if (!yahoo) {
      const bad = timestampProblem(t);
      if (bad !== undefined) cur.fail(bad);
    }
    const problem = candleProblem(o, h, l, c, vol);
    if (problem !== undefined) cur.fail(problem);
    if (yahoo) {
      const adj = row[5] as number;
      if (!(adj > 0)) cur.fail(`non-positive price: adj close ${adj}`);
      if (adjusted) {
        // Scale close too (rather than take AdjClose as is): multiplying all four by the same
        // factor keeps high >= close and low <= close exactly, which a rounded AdjClose may not.
        const f = adj / c;
        o *= f;
        h *= f;
        l *= f;
        c *= f;
      }
    }
    ts[n] = t;
    open[n] = o;
    high[n] = h;
    low[n] = l;
    close[n] = c;
    volume[n] = vol;
    n++;
  }
  return n;
}

function allocColumns(capacity: number): CandleColumns {
  return {
    ts: new Float64Array(capacity),
    open: new Float64Array(capacity),
    high: new Float64Array(capacity),
    low: new Float64Array(capacity),
    close: new Float64Array(capacity),
    volume: new Float64Array(capacity),
  };
}

/** Larger columns holding the first `n` rows of `cols`. */
function grownColumns(cols: CandleColumns, capacity: number, n: number): CandleColumns {
  const out = allocColumns(capacity);
  for (const k of ['ts', 'open', 'high', 'low', 'close', 'volume'] as const)
    out[k].set(cols[k].subarray(0, n));
  return out;
}

// Expected row count: the bytes left divided by the mean length of the first rows, plus 5%.
function estimateRows(bytes: Buffer, bodyStart: number): number {
  const rest = bytes.length - bodyStart;
  const sampleEnd = Math.min(bytes.length, bodyStart + 65_536);
  let lines = 0;
  for (let i = bytes.indexOf(10, bodyStart); i >= 0 && i < sampleEnd; i = bytes.indexOf(10, i + 1)) lines++;
  if (lines === 0) return 16;
  const meanLength = (sampleEnd - bodyStart) / lines;
  return Math.ceil((rest / meanLength) * 1.05) + 16;
}

// Line of the row-th non-empty line after the header (not counting Yahoo rows of nulls, which
// hold no candle); rescans the text because it is only needed for an error or warning
// message, never per row.
function csvLineOf(
  bytes: Buffer,
  bodyStart: number,
  headerLine: number,
  yahoo: boolean,
  row: number,
): number {
  let line = headerLine;
  let seen = -1;
  let start = bodyStart;
  while (start < bytes.length) {
    let nl = bytes.indexOf(10, start);
    if (nl < 0) nl = bytes.length;
    line++;
    const end = nl > start && bytes[nl - 1] === 13 ? nl - 1 : nl;
    const comma = yahoo ? bytes.indexOf(44, start) : -1;
    const skipped = comma >= 0 && comma < end && nullFieldsEnd(bytes, comma + 1, 6) >= 0;
    if (end > start && !skipped && ++seen === row) return line;
    start = nl + 1;
  }
  return line;
}
