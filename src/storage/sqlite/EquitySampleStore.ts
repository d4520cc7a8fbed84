import type Database from 'better-sqlite3';

/** One stored equity sample: when (epoch ms), how much (account currency) and which run saw it. */
export interface EquitySample {
  readonly ts: number;
  readonly equity: number;
  readonly runId: string;
}

/**
 * The account's equity over time, across runs, so a restarted engine's curve and drawdown
 * go on where they were. Equity is a chart series (float64), not ledger money: the ledger
 * keeps the exact amounts. Bounded: `prune` keeps the newest `maxRows`.
 */
export class EquitySampleStore {
  private readonly insert: Database.Statement<[number, number, string]>;
  private readonly selectRange: Database.Statement<
    [number, number],
    { ts: number; equity: number; run_id: string }
  >;
  private readonly countRows: Database.Statement<[], { n: number }>;
  private readonly deleteOld: Database.Statement<[number]>;
  private readonly selectLast: Database.Statement<[], { ts: number; equity: number; run_id: string }>;

  constructor(db: Database.Database) {
    // Two samples in one millisecond: the later one replaces it.
    this.insert = db.prepare('INSERT OR REPLACE INTO equity_samples (ts, equity, run_id) VALUES (?, ?, ?)');
    this.selectRange = db.prepare(
      'SELECT ts, equity, run_id FROM equity_samples WHERE ts >= ? AND ts < ? ORDER BY ts',
    );
    this.countRows = db.prepare('SELECT count(*) AS n FROM equity_samples');
    this.deleteOld = db.prepare(
      'DELETE FROM equity_samples WHERE ts < (SELECT ts FROM equity_samples ORDER BY ts DESC LIMIT 1 OFFSET ?)',
    );
    this.selectLast = db.prepare('SELECT ts, equity, run_id FROM equity_samples ORDER BY ts DESC LIMIT 1');
  }

  append(s: EquitySample): void {
    this.insert.run(Math.round(s.ts), s.equity, s.runId);
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
    this.deleteOld.run(Math.max(0, maxRows - 1));
  }
}
