import type { BarSeries } from '../model/BarSeries.js';

/**
 * A BarSeries in one SharedArrayBuffer (six float64 columns back to back: ts, open, high,
 * low, close, volume), so every worker thread reads the same memory: the data is loaded
 * and parsed once, however many workers run.
 */
export interface SharedSeries {
  readonly symbol: string;
  readonly timeframe: string;
  readonly length: number;
  readonly buffer: SharedArrayBuffer;
}

const COLUMNS = ['ts', 'open', 'high', 'low', 'close', 'volume'] as const;

/** Copies a series into shared memory. */
export function shareSeries(s: BarSeries): SharedSeries {
  const buffer = new SharedArrayBuffer(s.length * COLUMNS.length * Float64Array.BYTES_PER_ELEMENT);
  const all = new Float64Array(buffer);
  COLUMNS.forEach((c, k) => all.set(s[c], k * s.length));
  return { symbol: s.symbol, timeframe: s.timeframe, length: s.length, buffer };
}

/** The series over shared memory (views, no copy). */
export function seriesOfShared(shared: SharedSeries): BarSeries {
  return seriesOfColumns(shared.symbol, shared.timeframe, shared.length, new Float64Array(shared.buffer));
}

/** A series over the six columns laid back to back in `all` (views, no copy). */
function seriesOfColumns(symbol: string, timeframe: string, n: number, all: Float64Array): BarSeries {
  const col = (k: number): Float64Array => all.subarray(k * n, (k + 1) * n);
  return {
    symbol,
    timeframe,
    length: n,
    ts: col(0),
    open: col(1),
    high: col(2),
    low: col(3),
    close: col(4),
    volume: col(5),
  };
}

/** The columns as little-endian bytes, the wire form `qts worker` processes read from Redis. */
export function seriesToBytes(s: BarSeries): Buffer {
  const out = Buffer.alloc(s.length * COLUMNS.length * 8);
  let off = 0;
  for (const c of COLUMNS) {
    const col = s[c];
    for (let i = 0; i < s.length; i++, off += 8) out.writeDoubleLE(col[i] as number, off);
  }
  return out;
}

/** A series back from {@link seriesToBytes}. */
export function seriesFromBytes(symbol: string, timeframe: string, bytes: Buffer): BarSeries {
  const n = bytes.length / (COLUMNS.length * 8);
  if (!Number.isInteger(n))
    throw new RangeError(`series bytes of ${symbol}: length ${bytes.length} is not 48 × bars`);
  const all = new Float64Array(n * COLUMNS.length);
  for (let k = 0; k < all.length; k++) all[k] = bytes.readDoubleLE(k * 8);
  return seriesOfColumns(symbol, timeframe, n, all);
}
