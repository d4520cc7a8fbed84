import { V1_INITIAL } from './initialSchema.js';

/** One schema step. Versions run 1, 2, 3… in order; a released migration is never edited, only followed. */
export interface Migration {
  readonly version: number;
  /** Short name, recorded beside the version so a renumbered history is caught. */
  readonly name: string;
  readonly sql: string;
}

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

/**
 * How far each order id sequence has been promised durably (OrderIdReservations): with
 * `synchronous = NORMAL` a power cut may take the journal's last orders, and the next run would
 * number its orders from there again, sending client order ids the exchange already has.
 */
const V12_ORDER_ID_RESERVATIONS = `
CREATE TABLE order_id_reservations (
  prefix TEXT PRIMARY KEY,
  reserved_to INTEGER NOT NULL CHECK (reserved_to >= 0)
) STRICT;
`;

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
  { version: 12, name: 'order_id_reservations', sql: V12_ORDER_ID_RESERVATIONS },
];
