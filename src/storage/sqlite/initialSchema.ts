/**
 * Migration 1, the schema trading.db was first released with: the run record, the order
 * journal and its fills, ledger snapshots, strategy and risk state, and stored candles. It is
 * released, so it is never edited: every later change is a step of its own in MIGRATIONS.
 */
export const V1_INITIAL = `
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
