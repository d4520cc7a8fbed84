import type Database from 'better-sqlite3';
import type { Millis } from '../../core/time.js';
import { guardWrite } from './writeError.js';

/** Where the synthetic market left one symbol: its last closed bar's open time and close. */
export interface SyntheticMark {
  readonly symbol: string;
  readonly timeframe: string;
  /** Open time of the last closed bar delivered (whole ms). */
  readonly ts: Millis;
  readonly close: number;
}

/** The last traded price of one symbol in the fill journal, and when. */
export interface LastFill {
  readonly symbol: string;
  /** Price of the newest fill of the symbol (float64: it seeds a chart walk, not the ledger). */
  readonly price: number;
  readonly ts: Millis;
}

/**
 * The resume point of shadow mode's synthetic market, one row per symbol, overwritten at
 * every closed bar: a restarted engine continues the walk from there, so bar and fill times
 * only move forward and a held position is revalued at the price it was left at. A write
 * SQLite refuses (full disk, read-only file) is ERR_DB_WRITE.
 */
export class SyntheticMarketStore {
  private readonly upsert: (
    symbol: string,
    timeframe: string,
    ts: number,
    close: number,
  ) => Database.RunResult;
  private readonly selectAll: Database.Statement<[], SyntheticMark>;
  private readonly selectLastFills: Database.Statement<[], { symbol: string; px: string; ts: number }>;

  constructor(db: Database.Database) {
    // A bar older than the stored one never moves the mark back (a second feed, a clock step).
    const upsert = db.prepare<[string, string, number, number]>(
      `INSERT INTO synthetic_market (symbol, timeframe, ts, close) VALUES (?, ?, ?, ?)
       ON CONFLICT (symbol) DO UPDATE SET timeframe = excluded.timeframe, ts = excluded.ts, close = excluded.close
         WHERE excluded.ts >= synthetic_market.ts`,
    );
    this.upsert = guardWrite(
      upsert.run.bind(upsert),
      (symbol) => `synthetic market mark of ${symbol} not saved`,
    );
    this.selectAll = db.prepare('SELECT symbol, timeframe, ts, close FROM synthetic_market ORDER BY symbol');
    // SQLite takes the bare columns of a max() aggregate from the row holding the maximum.
    this.selectLastFills = db.prepare(
      'SELECT symbol, px, max(ts) AS ts FROM fills GROUP BY symbol ORDER BY symbol',
    );
  }

  /** Records a closed synthetic bar as the symbol's resume point. */
  save(bar: {
    readonly symbol: string;
    readonly timeframe: string;
    readonly ts: Millis;
    readonly close: number;
  }): void {
    this.upsert(bar.symbol, bar.timeframe, Math.round(bar.ts), bar.close);
  }

  /** Every symbol's resume point. */
  marks(): SyntheticMark[] {
    return this.selectAll.all();
  }

  /**
   * The newest fill of each symbol: the resume point of a database written before the marks
   * were kept (its fills carry the last prices and times the synthetic market reached).
   */
  lastFills(): LastFill[] {
    return this.selectLastFills.all().map((r) => ({ symbol: r.symbol, price: Number(r.px), ts: r.ts }));
  }
}
