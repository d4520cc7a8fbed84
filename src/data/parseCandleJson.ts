import { QtsError } from '../core/QtsError.js';
import { parseIsoUtc } from '../core/dateOption.js';
import { candleProblem, timestampProblem } from './candleProblem.js';
import { DataErrorCode } from './DataErrorCode.js';
import type { RawCandles } from './RawCandles.js';

const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const COLUMNS = ['timestamp', 'open', 'high', 'low', 'close', 'volume'] as const;

/**
 * Parses a JSON array of candles, each either a ccxt OHLCV array `[ts, o, h, l, c, v]` or an
 * object `{ timestamp | ts | time, open, high, low, close, volume }`. Timestamps are Unix ms
 * or an ISO-8601 string (YYYY-MM-DD or YYYY-MM-DDTHH:MM[:SS[.mmm]][Z|±HH:MM]; UTC without an
 * offset, whatever the machine's time zone, so a file means the same bars everywhere); values may be numbers or numeric strings, since several exchange
 * REST APIs quote prices as strings to keep their decimals. A malformed element throws
 * ERR_DATA_PARSE naming the line where it starts (and its index in the array when that line
 * holds other candles too); text that is not a JSON array throws
 * ERR_DATA_FORMAT. `linesBefore` is how many lines of the file precede `text`, so line
 * numbers in messages are the file's.
 */
export function parseCandleJson(text: string, file: string, linesBefore = 0): RawCandles {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new QtsError(DataErrorCode.Format, `${file}: not valid JSON (${(e as Error).message})`, { file });
  }
  if (!Array.isArray(data)) {
    throw new QtsError(DataErrorCode.Format, `${file}: expected a JSON array of candles`, { file });
  }
  const rows: readonly unknown[] = data;
  const n = rows.length;
  const out = {
    ts: new Float64Array(n),
    open: new Float64Array(n),
    high: new Float64Array(n),
    low: new Float64Array(n),
    close: new Float64Array(n),
    volume: new Float64Array(n),
  };
  const fail = (row: number, what: string): never => {
    const at = jsonElementLine(text, row);
    const line = linesBefore + at;
    // In a file of many candles to a line (minified, as exchange APIs send them) the line
    // alone does not find the candle: its index in the array does (jq '.[row]').
    const shared =
      (row > 0 && jsonElementLine(text, row - 1) === at) ||
      (row + 1 < n && jsonElementLine(text, row + 1) === at);
    const where = shared ? `element [${row}]: ` : '';
    throw new QtsError(DataErrorCode.Parse, `${file}:${line}: ${where}${what}`, { file, line, element: row });
  };
  const values = new Float64Array(6);
  for (let k = 0; k < n; k++) {
    const el = rows[k];
    if (Array.isArray(el)) {
      const arr: readonly unknown[] = el;
      if (arr.length !== 6)
        fail(k, `expected 6 values [timestamp, open, high, low, close, volume], got ${arr.length}`);
      for (let j = 0; j < 6; j++) values[j] = toNumber(arr[j], COLUMNS[j] as string, k, fail);
    } else if (typeof el === 'object' && el !== null) {
      const obj = el as Record<string, unknown>;
      const t = obj['timestamp'] ?? obj['ts'] ?? obj['time'];
      if (t === undefined) fail(k, 'missing timestamp (timestamp, ts or time)');
      values[0] = toNumber(t, 'timestamp', k, fail);
      for (let j = 1; j < 6; j++) {
        const name = COLUMNS[j] as string;
        if (obj[name] === undefined) fail(k, `missing ${name}`);
        values[j] = toNumber(obj[name], name, k, fail);
      }
    } else {
      fail(k, `expected a candle array or object, got ${el === null ? 'null' : typeof el}`);
    }
    const [t, o, h, l, c, v] = values as unknown as [number, number, number, number, number, number];
    const badTime = timestampProblem(t);
    if (badTime !== undefined) fail(k, badTime);
    const problem = candleProblem(o, h, l, c, v);
    if (problem !== undefined) fail(k, problem);
    out.ts[k] = t;
    out.open[k] = o;
    out.high[k] = h;
    out.low[k] = l;
    out.close[k] = c;
    out.volume[k] = v;
  }
  return { length: n, ...out, lineOf: (row) => linesBefore + jsonElementLine(text, row) };
}

function toNumber(v: unknown, name: string, row: number, fail: (row: number, what: string) => never): number {
  if (typeof v === 'number') {
    // JSON has no NaN, but 1e999 parses to Infinity.
    return Number.isFinite(v) ? v : fail(row, `${name} ${v} is out of range`);
  }
  if (typeof v === 'string') {
    const t = v.trim();
    if (DECIMAL.test(t)) {
      const x = Number(t);
      return Number.isFinite(x) ? x : fail(row, `${name} "${v}" is out of range`);
    }
    if (name === 'timestamp') {
      const ms = parseIsoUtc(t);
      return ms === undefined ? fail(row, `bad timestamp "${v}" (expected Unix ms or ISO-8601)`) : ms;
    }
    return fail(row, /^[+-]?nan$/i.test(t) ? `${name} is NaN` : `${name} "${v}" is not a number`);
  }
  return fail(row, `${name} ${JSON.stringify(v) ?? String(v)} is not a number`);
}

// Line on which the row-th element of the top-level array starts. JSON.parse keeps no
// positions, so messages rescan the text, skipping strings and nested brackets.
function jsonElementLine(text: string, row: number): number {
  let line = 1;
  let depth = 0;
  let index = -1;
  let inString = false;
  let expectElement = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10) {
      line++;
      continue;
    }
    if (inString) {
      if (c === 92) i++;
      else if (c === 34) inString = false;
      continue;
    }
    if (depth === 1 && expectElement && c !== 32 && c !== 9 && c !== 13 && c !== 44 && c !== 93) {
      expectElement = false;
      if (++index === row) return line;
    }
    if (c === 34) inString = true;
    else if (c === 91 || c === 123) {
      depth++;
      if (depth === 1) expectElement = true;
    } else if (c === 93 || c === 125) depth--;
    else if (c === 44 && depth === 1) expectElement = true;
  }
  return line;
}
