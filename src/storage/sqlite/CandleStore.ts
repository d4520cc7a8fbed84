import type Database from 'better-sqlite3';
import { QtsError } from '../../core/QtsError.js';
import type { Millis } from '../../core/time.js';
import { checkedTimeframeMs } from '../../data/checkedTimeframeMs.js';
import { DataErrorCode } from '../../data/DataErrorCode.js';
import type { BarSeries } from '../../model/BarSeries.js';
import { allocBarSeries } from '../../model/BarSeries.js';
import { guardWrite } from './writeError.js';

/** What an upsert did, row by row. */
export interface CandleUpsertResult {
  readonly rows: number;
  readonly inserted: number;
  /** Rows already stored with other values (an exchange revised a candle): overwritten. */
  readonly updated: number;
  /** Rows already stored with the same values: nothing written. */
  readonly unchanged: number;
}

/** A run of missing bars: open times of the first and last missing bar, and how many. */
export interface CandleGap {
  readonly from: Millis;
  readonly to: Millis;
  readonly missing: number;
}

/** Missing bars of one series over [from, to). */
export interface GapReport {
  readonly exchange: string;
  readonly symbol: string;
  readonly timeframe: string;
  /** Window examined: the given bounds, else first stored bar to the end of the last. */
  readonly from: Millis;
  readonly to: Millis;
  readonly present: number;
  readonly missing: number;
  readonly gaps: CandleGap[];
  /** Spacings that are not a whole number of bars (a file mixing grids). */
  readonly offGrid: number;
}

/** One stored series. */
export interface CandleSeriesInfo {
  readonly exchange: string;
  readonly symbol: string;
  readonly timeframe: string;
  readonly count: number;
  readonly first: Millis;
  readonly last: Millis;
}

type Key = [exchange: string, symbol: string, timeframe: string];
type Row = [...Key, ts: number, open: number, high: number, low: number, close: number, volume: number];

const KEY = 'exchange = ? AND symbol = ? AND timeframe = ?';

/**
 * Candle history keyed by (exchange, symbol, timeframe, open time). Prices and volumes are
 * REAL: market data is float64 in the engine, and SQLite stores a double bit for bit, so
 * import → export reproduces a file exactly. A whole series is written in one transaction
 * (100k rows in well under a second); writing the same candles again changes nothing.
 *
 * The history downloader (`qts data download`) resumes from `lastTimestamp` and writes
 * with `upsert`, so the last, possibly still-forming candle of a previous download is
 * corrected in place.
 */
export class CandleStore {
  private readonly upsertRow: Database.Statement<Row>;
  private readonly upsertAll: (exchange: string, s: BarSeries) => CandleUpsertResult;
  private readonly bounds: Database.Statement<Key, { first: number | null; last: number | null; n: number }>;

  constructor(private readonly db: Database.Database) {
    this.upsertRow = db.prepare(
      `INSERT INTO candles (exchange, symbol, timeframe, ts, open, high, low, close, volume)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (exchange, symbol, timeframe, ts) DO UPDATE
         SET open = excluded.open, high = excluded.high, low = excluded.low, close = excluded.close,
             volume = excluded.volume
         WHERE (open, high, low, close, volume)
           <> (excluded.open, excluded.high, excluded.low, excluded.close, excluded.volume)`,
    );
    this.bounds = db.prepare(
      `SELECT min(ts) AS first, max(ts) AS last, count(*) AS n FROM candles WHERE ${KEY}`,
    );
    const upsertAll = db.transaction((exchange: string, s: BarSeries) => {
      const { symbol, timeframe, ts, open, high, low, close, volume } = s;
      const before = this.count(exchange, symbol, timeframe);
      // changes is 1 for an insert or a real update, 0 for a candle stored with the same values.
      let written = 0;
      for (let i = 0; i < s.length; i++) {
        written += this.upsertRow.run(
          exchange,
          symbol,
          timeframe,
          ts[i] as number,
          open[i] as number,
          high[i] as number,
          low[i] as number,
          close[i] as number,
          volume[i] as number,
        ).changes;
      }
      const inserted = this.count(exchange, symbol, timeframe) - before;
      return { rows: s.length, inserted, updated: written - inserted, unchanged: s.length - written };
    });
    this.upsertAll = guardWrite(
      upsertAll.immediate.bind(upsertAll),
      (exchange, s) => `${s.length} candles of ${exchange} ${s.symbol} ${s.timeframe} not written`,
    );
  }

  /**
   * Writes a series under `exchange` in one transaction: new candles inserted, changed ones
   * overwritten, identical ones left alone. Open times must be whole milliseconds. ERR_DB_WRITE
   * when SQLite refuses the write (full disk): nothing of the series is written.
   */
  upsert(exchange: string, series: BarSeries): CandleUpsertResult {
    checkedTimeframeMs(series.timeframe);
    for (let i = 0; i < series.length; i++) {
      if (!Number.isSafeInteger(series.ts[i])) {
        throw new QtsError(
          DataErrorCode.Parse,
          `${series.symbol} ${series.timeframe}: bar ${i} open time is not whole ms`,
        );
      }
    }
    return this.upsertAll(exchange, series);
  }

  /** Candles with open time in [from, to) (either bound optional), oldest first. */
  range(exchange: string, symbol: string, timeframe: string, from?: Millis, to?: Millis): BarSeries {
    const lo = from ?? Number.MIN_SAFE_INTEGER;
    const hi = to ?? Number.MAX_SAFE_INTEGER;
    // One read transaction: the count and the rows come from the same snapshot.
    return this.db.transaction(() => {
      const n = this.db
        .prepare<[...Key, number, number], number>(
          `SELECT count(*) FROM candles WHERE ${KEY} AND ts >= ? AND ts < ?`,
        )
        .pluck()
        .get(exchange, symbol, timeframe, lo, hi) as number;
      const s = allocBarSeries(symbol, timeframe, n);
      const rows = this.db
        .prepare<[...Key, number, number], [number, number, number, number, number, number]>(
          `SELECT ts, open, high, low, close, volume FROM candles WHERE ${KEY} AND ts >= ? AND ts < ? ORDER BY ts`,
        )
        .raw()
        .iterate(exchange, symbol, timeframe, lo, hi);
      let i = 0;
      for (const r of rows) {
        s.ts[i] = r[0];
        s.open[i] = r[1];
        s.high[i] = r[2];
        s.low[i] = r[3];
        s.close[i] = r[4];
        s.volume[i] = r[5];
        i++;
      }
      return s;
    })();
  }

  /** Open time of the newest stored candle: where a download resumes. */
  lastTimestamp(exchange: string, symbol: string, timeframe: string): Millis | undefined {
    return this.bounds.get(exchange, symbol, timeframe)?.last ?? undefined;
  }

  /** Open time of the oldest stored candle. */
  firstTimestamp(exchange: string, symbol: string, timeframe: string): Millis | undefined {
    return this.bounds.get(exchange, symbol, timeframe)?.first ?? undefined;
  }

  /** Number of stored candles of one series. */
  count(exchange: string, symbol: string, timeframe: string): number {
    return this.bounds.get(exchange, symbol, timeframe)?.n ?? 0;
  }

  /** Every stored series with its size and time span. */
  list(): CandleSeriesInfo[] {
    return this.db
      .prepare<[], CandleSeriesInfo>(
        `SELECT exchange, symbol, timeframe, count(*) AS count, min(ts) AS first, max(ts) AS last
         FROM candles GROUP BY exchange, symbol, timeframe ORDER BY exchange, symbol, timeframe`,
      )
      .all();
  }

  /**
   * Missing bars of one series over [from, to). Without bounds the window is the stored span,
   * so only holes between stored bars count; with bounds, missing bars before the first and
   * after the last stored one count too (what a downloader still has to fetch). Bars are
   * expected on the grid of the stored bars (epoch-aligned when the window holds none).
   */
  gaps(exchange: string, symbol: string, timeframe: string, from?: Millis, to?: Millis): GapReport {
    const tf = checkedTimeframeMs(timeframe);
    return this.db.transaction((): GapReport => {
      const lo = from ?? Number.MIN_SAFE_INTEGER;
      const hi = to ?? Number.MAX_SAFE_INTEGER;
      const b = this.db
        .prepare<[...Key, number, number], { first: number | null; last: number | null; n: number }>(
          `SELECT min(ts) AS first, max(ts) AS last, count(*) AS n FROM candles WHERE ${KEY} AND ts >= ? AND ts < ?`,
        )
        .get(exchange, symbol, timeframe, lo, hi);
      const gaps: CandleGap[] = [];
      let offGrid = 0;
      const first = b?.first ?? null;
      const last = b?.last ?? null;
      const present = b?.n ?? 0;
      const base = { exchange, symbol, timeframe };
      if (first === null || last === null) {
        if (from === undefined || to === undefined)
          return { ...base, from: from ?? 0, to: to ?? 0, present, missing: 0, gaps, offGrid };
        const start = Math.ceil(from / tf) * tf;
        const missing = Math.max(0, Math.ceil((to - start) / tf));
        if (missing > 0) gaps.push({ from: start, to: start + (missing - 1) * tf, missing });
        return { ...base, from, to, present, missing, gaps, offGrid };
      }
      const windowFrom = from ?? first;
      const windowTo = to ?? last + tf;
      const leading = Math.floor((first - windowFrom) / tf);
      if (leading > 0) gaps.push({ from: first - leading * tf, to: first - tf, missing: leading });
      const holes = this.db
        .prepare<[...Key, number, number, number], [number, number]>(
          `SELECT prev, ts FROM (
             SELECT ts, lag(ts) OVER (ORDER BY ts) AS prev FROM candles WHERE ${KEY} AND ts >= ? AND ts < ?
           ) WHERE prev IS NOT NULL AND ts - prev <> ? ORDER BY ts`,
        )
        .raw()
        .all(exchange, symbol, timeframe, lo, hi, tf);
      for (const [prev, ts] of holes) {
        const d = ts - prev;
        if (d % tf !== 0) offGrid++;
        const missing = Math.ceil(d / tf) - 1;
        if (missing > 0) gaps.push({ from: prev + tf, to: prev + missing * tf, missing });
      }
      const trailing = Math.max(0, Math.ceil((windowTo - last) / tf) - 1);
      if (trailing > 0) gaps.push({ from: last + tf, to: last + trailing * tf, missing: trailing });
      const missing = gaps.reduce((n, g) => n + g.missing, 0);
      return { ...base, from: windowFrom, to: windowTo, present, missing, gaps, offGrid };
    })();
  }
}
