import type Database from 'better-sqlite3';
import { guardWrite } from './writeError.js';

/** One stored equity sample: when (epoch ms), how much (account currency) and which run saw it. */
export interface EquitySample {
  readonly ts: number;
  readonly equity: number;
  readonly runId: string;
}

/**
 * The account's equity over time, across runs, so a restarted engine's curve and drawdown
 * go on where they were. Equity is a chart series (float64), not ledger money: the ledger
 * keeps the exact amounts. Bounded: `prune` keeps the newest `maxRows`. A write SQLite
 * refuses (full disk, read-only file) is ERR_DB_WRITE.
 */
export class EquitySampleStore {
  private readonly insert: (ts: number, equity: number, runId: string) => Database.RunResult;
  private readonly selectRange: Database.Statement<
    [number, number],
    { ts: number; equity: number; run_id: string }
  >;
  private readonly countRows: Database.Statement<[], { n: number }>;
  private readonly deleteOld: (offset: number) => Database.RunResult;
  private readonly selectLast: Database.Statement<[], { ts: number; equity: number; run_id: string }>;

  constructor(db: Database.Database) {
    // Two samples in one millisecond: the later one replaces it.
    const insert = db.prepare<[number, number, string]>(
      'INSERT OR REPLACE INTO equity_samples (ts, equity, run_id) VALUES (?, ?, ?)',
    );
    this.insert = guardWrite(insert.run.bind(insert), (ts) => `equity sample at ${ts} not saved`);
    this.selectRange = db.prepare(
      'SELECT ts, equity, run_id FROM equity_samples WHERE ts >= ? AND ts < ? ORDER BY ts',
    );
    this.countRows = db.prepare('SELECT count(*) AS n FROM equity_samples');
    const deleteOld = db.prepare<[number]>(
      'DELETE FROM equity_samples WHERE ts < (SELECT ts FROM equity_samples ORDER BY ts DESC LIMIT 1 OFFSET ?)',
    );
    this.deleteOld = guardWrite(
      deleteOld.run.bind(deleteOld),
      (older) => `equity samples older than the newest ${older + 1} not pruned`,
    );
    this.selectLast = db.prepare('SELECT ts, equity, run_id FROM equity_samples ORDER BY ts DESC LIMIT 1');
  }

  append(s: EquitySample): void {
    this.insert(Math.round(s.ts), s.equity, s.runId);
  }

  /** Samples in [from, to), oldest first. */
  range(from = Number.MIN_SAFE_INTEGER, to = Number.MAX_SAFE_INTEGER): EquitySample[] {
    return this.selectRange.all(from, to).map((r) => ({ ts: r.ts, equity: r.equity, runId: r.run_id }));
  }

  last(): EquitySample | undefined {
    const r = this.selectLast.get();
    return r === undefined ? undefined : { ts: r.ts, equity: r.equity, runId: r.run_id };
  }

  count(): number {
    return this.countRows.get()?.n ?? 0;
  }

  /** Deletes all but the newest `maxRows` samples. */
  prune(maxRows: number): void {
    this.deleteOld(Math.max(0, maxRows - 1));
  }
}
