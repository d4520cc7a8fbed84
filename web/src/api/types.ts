/*
 * The JSON shapes the dashboard reads from the REST API (docs/api.md; generated from
 * src/api/views.ts). Exact money and quantities are decimal strings and are only ever
 * displayed, never added up in floats; chart series are numbers.
 */

export type Role = 'viewer' | 'trader' | 'admin';

export interface Identity {
  readonly name: string;
  readonly role: Role;
}

export interface Session extends Identity {
  readonly token: string;
  readonly expiresAt: number;
}

export interface Status {
  readonly mode: 'shadow' | 'live' | 'api';
  readonly marketData: { readonly source: string; readonly detail: string };
  readonly startedAt: number;
  readonly now: number;
  readonly tradingState: string;
  readonly tradingStateReason: string;
  readonly currency: string;
  readonly equity: number;
  readonly cash: string;
  readonly positions: readonly {
    symbol: string;
    qty: string;
    avgPrice: number | null;
    lastPrice: number | null;
  }[];
  readonly openOrders: number;
  /** Strategy warm-up at start: whether it ran, where the history came from, when it ended. */
  readonly warmUp: WarmUpStatus;
  readonly strategies: readonly {
    id: string;
    strategy: string;
    symbols: readonly string[];
    timeframe: string;
    running: boolean;
    /** failed: quarantined because a handler threw; `failure` says why. */
    status: 'running' | 'stopped' | 'failed';
    failure: { code: string; message: string; hook: string; symbol: string | null; at: number } | null;
    /** What this instance was warmed up with; null: none (off, still running, or started since). */
    warmUp: StrategyWarmUp | null;
  }[];
}

/** Where a symbol's warm-up history came from; `none`: its strategies started cold. */
export type WarmUpSource = 'exchange' | 'stored' | 'none';

export interface WarmUpStatus {
  readonly state: 'off' | 'running' | 'done';
  readonly bars: number;
  readonly timeoutMs: number;
  readonly timedOut: boolean;
  readonly startedAt: number | null;
  readonly finishedAt: number | null;
  readonly symbols: readonly { symbol: string; source: WarmUpSource; baseBars: number }[];
  readonly detail: string;
}

export interface StrategyWarmUp {
  /** Closed bars of the strategy's own timeframe it saw before live data (fewest over its symbols). */
  readonly bars: number;
  readonly symbols: readonly { symbol: string; source: WarmUpSource; bars: number }[];
}

export interface Order {
  readonly id: string;
  readonly strategyId: string;
  readonly symbol: string;
  readonly side: 'BUY' | 'SELL';
  readonly type: string;
  readonly status: string;
  readonly quantity: string;
  readonly price: string | null;
  readonly filledQty: string;
  readonly avgPx: string | null;
  readonly reasonCode: string | null;
  readonly reason: string | null;
  /** When a cancel was first asked of the venue; on an open order, not yet confirmed. */
  readonly cancelRequestedAt: number | null;
  readonly createdAt: number;
  readonly updatedAt: number;
}

export interface Fill {
  readonly orderId: string;
  readonly tradeId: string;
  readonly strategyId: string;
  readonly symbol: string;
  readonly side: 'BUY' | 'SELL';
  readonly qty: string;
  readonly px: string;
  readonly fee: string;
  readonly feeCurrency: string;
  readonly ts: number;
}

export interface Position {
  readonly symbol: string;
  readonly qty: string;
  readonly costBasis: string;
  readonly avgPrice: string | null;
  readonly lastPrice: number | null;
  /** Valued at: the last price for spot, the venue's mark for perpetuals (unrealizedPnl is at it). */
  readonly markPrice: number | null;
  readonly unrealizedPnl: string | null;
  readonly realizedPnl: string;
}

export interface StrategyInstance {
  readonly id: string;
  readonly strategy: string;
  readonly description: string;
  readonly symbols: readonly string[];
  readonly timeframe: string;
  readonly running: boolean;
  /** failed: quarantined because a handler threw (see `failure`). */
  readonly status?: 'running' | 'stopped' | 'failed';
  readonly failure?: { readonly code: string; readonly message: string } | null;
  readonly params: Readonly<Record<string, unknown>>;
  readonly paramsSchema: JsonSchema;
}

/** The subset of JSON schema (zod's toJSONSchema output) a parameter form needs. */
export interface JsonSchema {
  readonly type?: string | readonly string[];
  readonly properties?: Readonly<Record<string, JsonSchema>>;
  readonly description?: string;
  readonly default?: unknown;
  readonly minimum?: number;
  readonly maximum?: number;
  readonly enum?: readonly unknown[];
}

export interface CatalogEntry {
  readonly id: string;
  readonly description: string;
  readonly paramsSchema: JsonSchema;
}

export interface Pnl {
  readonly currency: string;
  readonly realized: string;
  readonly unrealized: string;
  readonly fees: string;
  readonly byStrategy: readonly {
    strategyId: string;
    realized: string;
    fees: string;
    net: string;
    fills: number;
  }[];
  readonly byDay: readonly { day: string; strategyId: string; net: string; netValue: number }[];
}

export interface EquityPoint {
  readonly ts: number;
  readonly equity: number;
}

export interface Risk {
  readonly state: string;
  readonly reason: string;
  readonly since: number | null;
  readonly killSwitch: boolean;
  readonly limits: Readonly<Record<string, unknown>>;
}

export interface Candle {
  readonly ts: number;
  readonly open: number;
  readonly high: number;
  readonly low: number;
  readonly close: number;
  readonly volume: number;
}

export interface MarketSymbol {
  readonly symbol: string;
  readonly timeframes: readonly string[];
}

export interface Component {
  readonly name: string;
  readonly ready: boolean;
  readonly detail: string;
}

export interface AuditEntry {
  readonly seq: number;
  readonly time: number;
  readonly kind: string;
  readonly actor: string;
  readonly data: Readonly<Record<string, unknown>>;
}

export interface LogLine {
  readonly time: number;
  readonly level: string | number;
  readonly msg: string;
}

export interface RoundTrip {
  readonly symbol: string;
  readonly side: 'BUY' | 'SELL';
  readonly entryTs: number;
  readonly exitTs: number;
  readonly entryPrice: number;
  readonly exitPrice: number;
  readonly quantity: number;
  readonly pnl: number;
  readonly returnPct: number;
  readonly closed: boolean;
}

/** The backtest JSON report (qts backtest --json): the fields the dashboard shows. */
export interface BacktestReport {
  readonly strategy: string;
  readonly params: Readonly<Record<string, unknown>>;
  readonly symbols: readonly string[];
  readonly timeframe: string;
  readonly currency: string;
  readonly initialCash: number;
  readonly finalEquity: number;
  readonly totalReturn: number;
  readonly cagr: number | null;
  readonly sharpe: number | null;
  readonly sortino: number | null;
  readonly maxDrawdown: number;
  readonly winRate: number | null;
  readonly profitFactor: number | null;
  readonly trades: number;
  readonly feesPaid: number;
  readonly exposure: number;
  readonly equityCurve: readonly EquityPoint[];
  readonly tradeList: readonly RoundTrip[];
}

export interface BacktestJob {
  readonly id: string;
  readonly status: 'queued' | 'running' | 'done' | 'failed';
  readonly strategy: string;
  readonly data: string;
  readonly createdAt: number;
  readonly progress: { readonly done: number; readonly total: number };
  readonly error: { readonly code: string; readonly message: string } | null;
  readonly report: BacktestReport | null;
}
