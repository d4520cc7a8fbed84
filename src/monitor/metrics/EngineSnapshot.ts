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
  /** Realized + unrealized PnL, before fees paid in cash (a fee taken in the coin is in it: the coins are gone). */
  readonly pnl: number;
  /** Every fee paid, net of rebates, a spot fee taken in the coin valued at its fill's price. */
  readonly fees: number;
  /** Fees in a currency with no price here (BNB), per currency, in that currency: not in `fees`. */
  readonly feesUnvalued: readonly { readonly currency: string; readonly amount: number }[];
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
