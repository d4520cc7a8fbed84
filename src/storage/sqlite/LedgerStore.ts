import type Database from 'better-sqlite3';
import type { Fixed } from '../../core/Fixed.js';
import { formatFixed, parseFixed } from '../../core/Fixed.js';
import type { Millis } from '../../core/time.js';
import { MarginMode } from '../../model/MarginMode.js';
import type { PositionState } from '../../portfolio/Ledger.js';
import type { MarginSettings, RestoredPosition } from '../../portfolio/MarginAccount.js';
import { guardWrite } from './writeError.js';

/**
 * What a snapshot reads from a ledger: a Ledger satisfies it, and a Portfolio, which adds the
 * margin settings of its perpetual positions (`marginOf`, undefined for spot).
 */
export interface LedgerSource {
  balances(): ReadonlyMap<string, Fixed>;
  allPositions(): readonly PositionState[];
  marginOf?(symbol: string): MarginSettings | undefined;
  /** The margin behind an isolated perpetual position; undefined for spot, cross or flat. */
  isolatedMarginOf?(symbol: string): Fixed | undefined;
}

/**
 * A saved ledger. `cash` is decimal text, exactly what `new Ledger(cash)` accepts, and
 * `positions` are the exact PositionState values to put back — together, what restoring a
 * Ledger after a restart needs.
 */
export interface LedgerSnapshot {
  readonly id: number;
  readonly runId: string;
  readonly ts: Millis;
  readonly cash: Record<string, string>;
  /** With the margin settings a perpetual position was booked under, where they were saved. */
  readonly positions: RestoredPosition[];
  /**
   * The fills (rowid in the fills table) the snapshot includes: those after it were journaled
   * but never saved into a snapshot. Null for snapshots written before this was recorded.
   */
  readonly fillsUpto: number | null;
}

interface SnapshotRow {
  id: number;
  run_id: string;
  ts: number;
  fills_upto: number | null;
}

/**
 * Balance and position snapshots. One snapshot (all currencies, all positions) is written in
 * one transaction, so a crash mid-write leaves the previous snapshot as the latest, never a
 * mix of two. Amounts are TEXT decimals: a snapshot reads back to the last 10⁻¹⁶.
 */
export class LedgerStore {
  private readonly write: (runId: string, ts: Millis, ledger: LedgerSource) => number;
  private readonly latestAny: Database.Statement<[], SnapshotRow>;
  private readonly latestOfRun: Database.Statement<[string], SnapshotRow>;
  private readonly byId: Database.Statement<[number], SnapshotRow>;
  private readonly balancesOf: Database.Statement<[number], { currency: string; amount: string }>;
  private readonly positionsOf: Database.Statement<
    [number],
    {
      symbol: string;
      qty: string;
      cost_basis: string;
      realized_pnl: string;
      margin_mode: string | null;
      leverage: number | null;
      isolated_margin: string | null;
    }
  >;

  constructor(db: Database.Database) {
    const insertSnapshot = db.prepare<[string, number]>(
      // Every fill journaled so far is in the ledger: the journal commits a fill before the
      // ledger books it, and the ledger is saved after booking.
      'INSERT INTO ledger_snapshots (run_id, ts, fills_upto) VALUES (?, ?, (SELECT coalesce(max(rowid), 0) FROM fills))',
    );
    const insertBalance = db.prepare<[number | bigint, string, string]>(
      'INSERT INTO ledger_balances (snapshot_id, currency, amount) VALUES (?, ?, ?)',
    );
    const insertPosition = db.prepare<
      [number | bigint, string, string, string, string, string | null, number | null, string | null]
    >(
      'INSERT INTO ledger_positions (snapshot_id, symbol, qty, cost_basis, realized_pnl, margin_mode, leverage, isolated_margin) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    );
    const write = db.transaction((runId: string, ts: Millis, ledger: LedgerSource) => {
      const id = insertSnapshot.run(runId, ts).lastInsertRowid;
      for (const [currency, amount] of ledger.balances())
        insertBalance.run(id, currency, formatFixed(amount));
      for (const p of ledger.allPositions()) {
        const margin = ledger.marginOf?.(p.symbol);
        const isolated = ledger.isolatedMarginOf?.(p.symbol);
        insertPosition.run(
          id,
          p.symbol,
          formatFixed(p.qty),
          formatFixed(p.costBasis),
          formatFixed(p.realizedPnl),
          margin?.mode ?? null,
          margin?.leverage ?? null,
          isolated === undefined ? null : formatFixed(isolated),
        );
      }
      return Number(id);
    });
    this.write = guardWrite(
      write.immediate.bind(write),
      (runId, ts) => `ledger snapshot of run ${runId} at ${ts} not saved`,
    );
    this.latestAny = db.prepare(
      'SELECT id, run_id, ts, fills_upto FROM ledger_snapshots ORDER BY id DESC LIMIT 1',
    );
    this.latestOfRun = db.prepare(
      'SELECT id, run_id, ts, fills_upto FROM ledger_snapshots WHERE run_id = ? ORDER BY id DESC LIMIT 1',
    );
    this.byId = db.prepare('SELECT id, run_id, ts, fills_upto FROM ledger_snapshots WHERE id = ?');
    this.balancesOf = db.prepare(
      'SELECT currency, amount FROM ledger_balances WHERE snapshot_id = ? ORDER BY currency',
    );
    this.positionsOf = db.prepare(
      'SELECT symbol, qty, cost_basis, realized_pnl, margin_mode, leverage, isolated_margin FROM ledger_positions WHERE snapshot_id = ? ORDER BY symbol',
    );
  }

  /**
   * Saves every balance and position of `ledger` atomically; returns the snapshot id. The run
   * must exist. ERR_DB_WRITE when SQLite refuses the write: the previous snapshot stays the latest.
   */
  save(runId: string, ts: Millis, ledger: LedgerSource): number {
    return this.write(runId, ts, ledger);
  }

  /** The newest snapshot (of one run when given): the input to restore a Ledger at startup. */
  latest(runId?: string): LedgerSnapshot | undefined {
    const row = runId === undefined ? this.latestAny.get() : this.latestOfRun.get(runId);
    return row && this.read(row);
  }

  /** One snapshot by id. */
  get(id: number): LedgerSnapshot | undefined {
    const row = this.byId.get(id);
    return row && this.read(row);
  }

  private read(row: SnapshotRow): LedgerSnapshot {
    const cash: Record<string, string> = {};
    for (const b of this.balancesOf.all(row.id)) cash[b.currency] = b.amount;
    const positions = this.positionsOf.all(row.id).map((p): RestoredPosition => {
      const position = {
        symbol: p.symbol,
        qty: parseFixed(p.qty),
        costBasis: parseFixed(p.cost_basis),
        realizedPnl: parseFixed(p.realized_pnl),
      };
      const mode =
        p.margin_mode === MarginMode.CROSS
          ? MarginMode.CROSS
          : p.margin_mode === MarginMode.ISOLATED
            ? MarginMode.ISOLATED
            : undefined;
      if (mode === undefined || p.leverage === null) return position;
      const margin = { mode, leverage: p.leverage };
      return p.isolated_margin === null
        ? { ...position, margin }
        : { ...position, margin, isolatedMargin: parseFixed(p.isolated_margin) };
    });
    return { id: row.id, runId: row.run_id, ts: row.ts, cash, positions, fillsUpto: row.fills_upto };
  }
}
