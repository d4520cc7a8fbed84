/** Freshness of one symbol's market data. */
export interface MarketDataSnapshot {
  readonly symbol: string;
  /** Seconds since its last closed bar or trade arrived; undefined before the first one. */
  readonly lagSeconds: number | undefined;
  readonly stale: boolean;
}

/** The engine state that metrics show, read at scrape time (figures in the account currency). */
export interface EngineSnapshot {
  readonly equity: number;
  /** Realized + unrealized PnL, before fees. */
  readonly pnl: number;
  readonly fees: number;
  /** Fraction below the peak equity, 0 at a new high. */
  readonly drawdown: number;
  /** Gross notional of open positions at last prices. */
  readonly exposure: number;
  readonly positions: number;
  readonly openOrders: number;
  readonly strategiesRunning: number;
  readonly riskState: string;
  readonly markets: readonly MarketDataSnapshot[];
}
