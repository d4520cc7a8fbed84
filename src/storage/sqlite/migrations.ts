import type Database from 'better-sqlite3';
import { QtsError } from '../../core/QtsError.js';
import { StorageErrorCode } from '../StorageErrorCode.js';

/** One schema step. Versions run 1, 2, 3… in order; a released migration is never edited, only followed. */
export interface Migration {
  readonly version: number;
  /** Short name, recorded beside the version so a renumbered history is caught. */
  readonly name: string;
  readonly sql: string;
}

/** What `migrate` did. */
export interface MigrationResult {
  /** Versions applied by this call (empty when the file was already current). */
  readonly applied: number[];
  /** Schema version of the file afterwards. */
  readonly version: number;
}

/**
 * Written into the SQLite header (`PRAGMA application_id`, "QTS1") so a file of ours is told
 * apart from another program's database before anything is migrated into it.
 */
export const APPLICATION_ID = 0x51545331;

/*
 * Conventions of every table:
 * - STRICT, so a column holds the type it declares.
 * - Exact amounts (Fixed) are TEXT in plain decimal form (formatFixed / parseFixed); a REAL
 *   would round 0.1 and the ledger would stop reconciling to the last unit.
 * - Market data (candles) is REAL: it is float64 everywhere in the engine, stored bit for bit.
 * - Engine times are epoch milliseconds. Order, fill and run times are REAL because the
 *   engine's Millis may carry sub-millisecond fractions from latency models; candle open
 *   times are whole milliseconds, INTEGER.
 * - JSON columns are checked with json_valid; amounts inside them are decimal strings too.
 */
const V1_INITIAL = `
CREATE TABLE runs (
  id TEXT PRIMARY KEY,
  mode TEXT NOT NULL CHECK (mode IN ('backtest', 'shadow', 'live')),
  status TEXT NOT NULL CHECK (status IN ('RUNNING', 'STOPPED', 'FAILED', 'INTERRUPTED')),
  started_at REAL NOT NULL,
  stopped_at REAL,
  config TEXT NOT NULL CHECK (json_valid(config)),
  error TEXT
) STRICT;
CREATE INDEX runs_started ON runs (started_at);

CREATE TABLE orders (
  id TEXT PRIMARY KEY,
  strategy_id TEXT NOT NULL,
  symbol TEXT NOT NULL,
  side TEXT NOT NULL CHECK (side IN ('BUY', 'SELL')),
  type TEXT NOT NULL,
  request TEXT NOT NULL CHECK (json_valid(request)),
  status TEXT NOT NULL,
  filled_qty TEXT NOT NULL,
  filled_notional TEXT NOT NULL,
  fees_paid TEXT NOT NULL,
  venue_order_id TEXT,
  reason_code TEXT,
  reason TEXT,
  event_count INTEGER NOT NULL CHECK (event_count >= 1),
  created_at REAL NOT NULL,
  updated_at REAL NOT NULL
) STRICT;
CREATE INDEX orders_created ON orders (created_at, id);
CREATE INDEX orders_strategy ON orders (strategy_id, created_at);
CREATE INDEX orders_symbol ON orders (symbol, created_at);
CREATE INDEX orders_open ON orders (created_at, id)
  WHERE status NOT IN ('DENIED', 'REJECTED', 'FILLED', 'CANCELED', 'EXPIRED');

CREATE TABLE order_events (
  order_id TEXT NOT NULL REFERENCES orders (id),
  seq INTEGER NOT NULL CHECK (seq >= 0),
  event_id TEXT NOT NULL,
  type TEXT NOT NULL,
  ts REAL NOT NULL,
  event TEXT NOT NULL CHECK (json_valid(event)),
  PRIMARY KEY (order_id, seq)
) STRICT;

CREATE TABLE fills (
  order_id TEXT NOT NULL REFERENCES orders (id),
  trade_id TEXT NOT NULL,
  strategy_id TEXT NOT NULL,
  symbol TEXT NOT NULL,
  side TEXT NOT NULL CHECK (side IN ('BUY', 'SELL')),
  qty TEXT NOT NULL,
  px TEXT NOT NULL,
  fee TEXT NOT NULL,
  fee_currency TEXT NOT NULL,
  liquidity TEXT NOT NULL CHECK (liquidity IN ('MAKER', 'TAKER')),
  ts REAL NOT NULL,
  PRIMARY KEY (order_id, trade_id)
) STRICT;
CREATE INDEX fills_ts ON fills (ts);
CREATE INDEX fills_symbol ON fills (symbol, ts);
CREATE INDEX fills_strategy ON fills (strategy_id, ts);

CREATE TABLE ledger_snapshots (
  id INTEGER PRIMARY KEY,
  run_id TEXT NOT NULL REFERENCES runs (id),
  ts REAL NOT NULL
) STRICT;
CREATE INDEX ledger_snapshots_run ON ledger_snapshots (run_id, id);
CREATE TABLE ledger_balances (
  snapshot_id INTEGER NOT NULL REFERENCES ledger_snapshots (id) ON DELETE CASCADE,
  currency TEXT NOT NULL,
  amount TEXT NOT NULL,
  PRIMARY KEY (snapshot_id, currency)
) STRICT, WITHOUT ROWID;
CREATE TABLE ledger_positions (
  snapshot_id INTEGER NOT NULL REFERENCES ledger_snapshots (id) ON DELETE CASCADE,
  symbol TEXT NOT NULL,
  qty TEXT NOT NULL,
  cost_basis TEXT NOT NULL,
  realized_pnl TEXT NOT NULL,
  PRIMARY KEY (snapshot_id, symbol)
) STRICT, WITHOUT ROWID;

CREATE TABLE strategy_state (
  strategy_id TEXT NOT NULL,
  key TEXT NOT NULL,
  value TEXT NOT NULL CHECK (json_valid(value)),
  PRIMARY KEY (strategy_id, key)
) STRICT;

CREATE TABLE risk_state (
  id INTEGER PRIMARY KEY,
  state TEXT NOT NULL CHECK (state IN ('ACTIVE', 'REDUCING', 'HALTED')),
  reason TEXT NOT NULL,
  since REAL NOT NULL,
  kill_switch INTEGER NOT NULL CHECK (kill_switch IN (0, 1)),
  CHECK (kill_switch = 0 OR state = 'HALTED')
) STRICT;
CREATE TABLE risk_daily_equity (
  day TEXT PRIMARY KEY CHECK (day GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
  start_equity TEXT NOT NULL,
  ts REAL NOT NULL
) STRICT;

CREATE TABLE candles (
  exchange TEXT NOT NULL,
  symbol TEXT NOT NULL,
  timeframe TEXT NOT NULL,
  ts INTEGER NOT NULL,
  open REAL NOT NULL,
  high REAL NOT NULL,
  low REAL NOT NULL,
  close REAL NOT NULL,
  volume REAL NOT NULL,
  PRIMARY KEY (exchange, symbol, timeframe, ts)
) STRICT, WITHOUT ROWID;
`;

/**
 * Commands for a running engine from another process (the CLI's kill switch): the engine
 * polls this table, executes each pending command once through its risk engine and OMS,
 * and records the outcome.
 */
const V2_ENGINE_COMMANDS = `
CREATE TABLE engine_commands (
  id INTEGER PRIMARY KEY,
  ts REAL NOT NULL,
  command TEXT NOT NULL,
  args TEXT NOT NULL,
  issued_by TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('PENDING', 'DONE', 'FAILED')),
  result TEXT,
  done_at REAL
) STRICT;
CREATE INDEX engine_commands_pending ON engine_commands (id) WHERE status = 'PENDING';
`;

/*
 * What an operator changed on a running engine (API or dashboard) and the equity curve, so a
 * restart keeps both. strategy_controls holds one row per strategy instance: its parameters
 * and running flag as last set, and the config-file parameters they replaced (a changed config
 * file wins over an older API change). equity_samples is the account's equity, sampled.
 */
const V3_CONTROLS_AND_EQUITY = `
CREATE TABLE strategy_controls (
  strategy_id TEXT PRIMARY KEY,
  strategy TEXT NOT NULL,
  params TEXT CHECK (params IS NULL OR json_valid(params)),
  config_params TEXT NOT NULL CHECK (json_valid(config_params)),
  running INTEGER NOT NULL CHECK (running IN (0, 1)),
  updated_at REAL NOT NULL,
  updated_by TEXT NOT NULL
) STRICT;
CREATE TABLE equity_samples (
  ts INTEGER PRIMARY KEY,
  equity REAL NOT NULL,
  run_id TEXT NOT NULL
) STRICT;
`;

/*
 * Perpetual funding payments booked from the exchange's income history in live mode, one row
 * per payment keyed by the exchange's id, so a restart never books one twice. `booked` 0 marks
 * a payment that was already in the wallet when the engine first looked (the first
 * reconciliation took it over). funding_cursors holds, per exchange and symbol, the time from
 * which the next look starts.
 */
const V4_FUNDING_PAYMENTS = `
CREATE TABLE funding_payments (
  exchange TEXT NOT NULL,
  payment_id TEXT NOT NULL,
  symbol TEXT NOT NULL,
  ts INTEGER NOT NULL,
  amount TEXT NOT NULL,
  currency TEXT NOT NULL,
  rate TEXT,
  booked INTEGER NOT NULL CHECK (booked IN (0, 1)),
  run_id TEXT NOT NULL,
  recorded_at REAL NOT NULL,
  PRIMARY KEY (exchange, payment_id)
) STRICT;
CREATE INDEX funding_payments_symbol_ts ON funding_payments (exchange, symbol, ts);
CREATE TABLE funding_cursors (
  exchange TEXT NOT NULL,
  symbol TEXT NOT NULL,
  since INTEGER NOT NULL,
  PRIMARY KEY (exchange, symbol)
) STRICT;
`;

/**
 * Which fills a ledger snapshot already holds (the fills table's rowid then): a fill journaled
 * after the last snapshot, by a process killed before it could save the next one, is booked
 * again at start instead of being lost from the paper account.
 */
const V5_SNAPSHOT_FILLS = `ALTER TABLE ledger_snapshots ADD COLUMN fills_upto INTEGER;`;

/**
 * Where the synthetic market of shadow mode stopped: per symbol, the open time and close of
 * the last closed bar it delivered, so a restart continues the walk after it (later times,
 * from that price) instead of starting again at its start prices. One row per symbol,
 * overwritten at each bar; the synthetic bars themselves are not kept (they are not market
 * data, and the candles table is for history a backtest can trust).
 */
const V6_SYNTHETIC_MARKET = `
CREATE TABLE synthetic_market (
  symbol TEXT PRIMARY KEY,
  timeframe TEXT NOT NULL,
  ts INTEGER NOT NULL,
  close REAL NOT NULL
) STRICT;
`;

/**
 * When a cancel of the order was first asked of the venue (OrderCancelRequested): an open order
 * with one is being canceled, and the API and dashboard say so until the venue confirms.
 */
const V7_CANCEL_REQUESTED = `
ALTER TABLE orders ADD COLUMN cancel_requested_at REAL;
`;

/**
 * The simulated venue's own state that the order journal does not hold (shadow mode): the best
 * price each trailing stop has seen while resting, so a restart trails on from there instead
 * of from the first price after it. One row per open trailing stop, overwritten on each new
 * extreme; rows of orders no longer open are dropped at the next start. The index finds a
 * bracket entry's children, whose fills a restored leg must count.
 */
const V8_SIM_TRAILING_MARKS = `
CREATE TABLE sim_trailing_marks (
  order_id TEXT PRIMARY KEY,
  watermark REAL NOT NULL
) STRICT;
CREATE INDEX orders_parent ON orders (json_extract(request, '$.parentId'));
`;

/**
 * The margin settings each perpetual position of a ledger snapshot was booked under: a mode
 * cannot change while a position is open (on the exchange as in our margin account), so a
 * restart must put a cross position back as cross, not under the default isolated. Null for
 * spot positions and for snapshots written before this was recorded.
 */
const V9_POSITION_MARGIN = `
ALTER TABLE ledger_positions ADD COLUMN margin_mode TEXT;
ALTER TABLE ledger_positions ADD COLUMN leverage INTEGER;
`;

/**
 * A liquidation is a fill line with no order (order id `LIQUIDATION`, as in a backtest's trade
 * log): the venue closed the position, the OMS never had an order for it. SQLite cannot drop a
 * foreign key in place, so the fills table is rebuilt without it — every row keeps its rowid,
 * which ledger snapshots count (fills_upto) — and a trigger keeps the rule for every other
 * fill: one of an order the journal does not know is still refused.
 */
const V10_LIQUIDATION_FILLS = `
CREATE TABLE fills_v10 (
  order_id TEXT NOT NULL,
  trade_id TEXT NOT NULL,
  strategy_id TEXT NOT NULL,
  symbol TEXT NOT NULL,
  side TEXT NOT NULL CHECK (side IN ('BUY', 'SELL')),
  qty TEXT NOT NULL,
  px TEXT NOT NULL,
  fee TEXT NOT NULL,
  fee_currency TEXT NOT NULL,
  liquidity TEXT NOT NULL CHECK (liquidity IN ('MAKER', 'TAKER')),
  ts REAL NOT NULL,
  PRIMARY KEY (order_id, trade_id)
) STRICT;
INSERT INTO fills_v10 (rowid, order_id, trade_id, strategy_id, symbol, side, qty, px, fee, fee_currency, liquidity, ts)
  SELECT rowid, order_id, trade_id, strategy_id, symbol, side, qty, px, fee, fee_currency, liquidity, ts FROM fills;
DROP TABLE fills;
ALTER TABLE fills_v10 RENAME TO fills;
CREATE INDEX fills_ts ON fills (ts);
CREATE INDEX fills_symbol ON fills (symbol, ts);
CREATE INDEX fills_strategy ON fills (strategy_id, ts);
CREATE TRIGGER fills_order_known BEFORE INSERT ON fills
  WHEN NEW.order_id <> 'LIQUIDATION' AND NOT EXISTS (SELECT 1 FROM orders WHERE id = NEW.order_id)
BEGIN
  SELECT RAISE(ABORT, 'FOREIGN KEY constraint failed: a fill of an order the journal does not know');
END;
`;

/**
 * The margin behind an isolated perpetual position, exact: funding payments move it, and a
 * restart that took it again at entry (|cost| ÷ leverage) put the funding paid back behind the
 * position, moving its liquidation price away from the exchange's. Null for spot, cross and
 * snapshots written before.
 */
const V11_ISOLATED_MARGIN = `ALTER TABLE ledger_positions ADD COLUMN isolated_margin TEXT;`;

/** The schema history of trading.db, oldest first. Append new steps; never edit a released one. */
export const MIGRATIONS: readonly Migration[] = [
  { version: 1, name: 'initial', sql: V1_INITIAL },
  { version: 2, name: 'engine_commands', sql: V2_ENGINE_COMMANDS },
  { version: 3, name: 'strategy_controls_equity_samples', sql: V3_CONTROLS_AND_EQUITY },
  { version: 4, name: 'funding_payments', sql: V4_FUNDING_PAYMENTS },
  { version: 5, name: 'ledger_snapshot_fills_upto', sql: V5_SNAPSHOT_FILLS },
  { version: 6, name: 'synthetic_market', sql: V6_SYNTHETIC_MARKET },
  { version: 7, name: 'orders_cancel_requested_at', sql: V7_CANCEL_REQUESTED },
  { version: 8, name: 'sim_trailing_marks', sql: V8_SIM_TRAILING_MARKS },
  { version: 9, name: 'ledger_position_margin', sql: V9_POSITION_MARGIN },
  { version: 10, name: 'liquidation_fills', sql: V10_LIQUIDATION_FILLS },
  { version: 11, name: 'ledger_isolated_margin', sql: V11_ISOLATED_MARGIN },
];

const BOOTSTRAP = `CREATE TABLE IF NOT EXISTS schema_migrations (
  version INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  applied_at TEXT NOT NULL
) STRICT`;

interface AppliedRow {
  version: number;
  name: string;
}

/**
 * Brings the file up to the last migration. Each migration runs in its own IMMEDIATE
 * transaction together with its `schema_migrations` row, so a failure leaves the file at the
 * previous version with nothing half-applied, and two processes opening the same file at once
 * apply each step exactly once (the second sees the row and skips). Calling it again is a no-op.
 *
 * Refuses (ERR_DB_MIGRATION) a file whose history has a version this build does not know — a
 * newer build wrote it, and an older one must not write tables it does not understand — or a
 * version recorded under another name.
 */
export function migrate(
  db: Database.Database,
  migrations: readonly Migration[] = MIGRATIONS,
): MigrationResult {
  checkSequence(migrations);
  const latest = migrations.length;
  db.exec(BOOTSTRAP);
  const appliedRows = db.prepare<[], AppliedRow>(
    'SELECT version, name FROM schema_migrations ORDER BY version',
  );
  const record = db.prepare<[number, string]>(
    `INSERT INTO schema_migrations (version, name, applied_at)
     VALUES (?, ?, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))`,
  );
  const applied: number[] = [];
  for (const m of migrations) {
    const step = db.transaction(() => {
      const rows = appliedRows.all();
      checkHistory(rows, migrations, latest);
      if (rows.some((r) => r.version === m.version)) return false;
      db.exec(m.sql);
      record.run(m.version, m.name);
      db.pragma(`user_version = ${m.version}`);
      db.pragma(`application_id = ${APPLICATION_ID}`);
      return true;
    });
    try {
      if (step.immediate()) applied.push(m.version);
    } catch (e) {
      if (e instanceof QtsError) throw e;
      throw new QtsError(
        StorageErrorCode.Migration,
        `migration ${m.version} (${m.name}) failed: ${e instanceof Error ? e.message : String(e)}`,
        { version: m.version, cause: e },
      );
    }
  }
  checkHistory(appliedRows.all(), migrations, latest);
  return { applied, version: latest };
}

/** Highest migration version recorded in the file (0 for a fresh file). */
export function schemaVersion(db: Database.Database): number {
  const exists = db
    .prepare("SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = 'schema_migrations'")
    .get();
  if (exists === undefined) return 0;
  const row = db.prepare<[], { v: number | null }>('SELECT max(version) AS v FROM schema_migrations').get();
  return row?.v ?? 0;
}

function checkHistory(rows: readonly AppliedRow[], migrations: readonly Migration[], latest: number): void {
  for (const row of rows) {
    if (row.version > latest) {
      throw new QtsError(
        StorageErrorCode.Migration,
        `database schema is version ${Math.max(...rows.map((r) => r.version))}, newer than this build knows (${latest}): ` +
          'it was written by a newer qts; upgrade qts or open a backup made before the upgrade',
        { found: row.version, known: latest },
      );
    }
    const known = migrations[row.version - 1];
    if (known?.name !== row.name) {
      throw new QtsError(
        StorageErrorCode.Migration,
        `migration ${row.version} is recorded as "${row.name}" but this build calls it "${known?.name ?? '?'}": ` +
          'the file comes from a diverging build',
        { version: row.version, recorded: row.name, expected: known?.name },
      );
    }
  }
}

/** A broken migration list is a programming error: crash loudly before touching the file. */
function checkSequence(migrations: readonly Migration[]): void {
  migrations.forEach((m, i) => {
    if (m.version !== i + 1) {
      throw new Error(`migrations must be numbered 1, 2, 3… in order; #${i} has version ${m.version}`);
    }
  });
}
