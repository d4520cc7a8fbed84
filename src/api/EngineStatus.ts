/** Health of one part of the system, for /health/ready and the dashboard. */
export interface ComponentHealth {
  readonly name: string;
  readonly ready: boolean;
  readonly detail: string;
}

/**
 * What the engine reports about itself. The API only reads it; commands go through the
 * risk engine and OMS, never by mutating state from a route.
 */
export interface EngineStatusSource {
  status(): EngineStatus;
  components(): ComponentHealth[];
}

export interface EngineStatus {
  readonly mode: 'shadow' | 'live' | 'api';
  /** Where market data comes from right now; anything but 'exchange' must be shown loudly. */
  readonly marketData: {
    readonly source: 'exchange' | 'replay' | 'synthetic' | 'none';
    readonly detail: string;
  };
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
  readonly strategies: readonly {
    id: string;
    strategy: string;
    symbols: readonly string[];
    timeframe: string;
    running: boolean;
  }[];
}
