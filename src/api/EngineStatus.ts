import type { StrategyFailureView } from './strategyStatusView.js';

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
  /** Strategy warm-up at start: whether it ran, where history came from, when it ended. */
  readonly warmUp: WarmUpStatus;
  readonly strategies: readonly {
    id: string;
    strategy: string;
    symbols: readonly string[];
    timeframe: string;
    running: boolean;
    /** failed: quarantined because a handler threw (docs/strategies.md); `failure` says why. */
    status: 'running' | 'stopped' | 'failed';
    failure: StrategyFailureView | null;
    /** This instance's warm-up; null when it had none (warm-up off or still running, or started since). */
    warmUp: StrategyWarmUp | null;
  }[];
}

/** Where a symbol's warm-up history came from; `none`: no history, its strategies started cold. */
export type WarmUpSourceName = 'exchange' | 'stored' | 'none';

/** Strategy warm-up at start (docs/configuration.md, "Strategy warm-up"). */
export interface WarmUpStatus {
  /** off: `marketData.warmupBars` is 0 or the market data has no history (replay, synthetic). */
  readonly state: 'off' | 'running' | 'done';
  /** Closed bars of each strategy's timeframe wanted (`marketData.warmupBars`). */
  readonly bars: number;
  /** Bound on the whole fetch (`marketData.warmupTimeoutMs`). */
  readonly timeoutMs: number;
  /** The fetch ran past timeoutMs: some history came from stored candles, or is missing. */
  readonly timedOut: boolean;
  readonly startedAt: number | null;
  readonly finishedAt: number | null;
  /** Per symbol: base-timeframe bars delivered, and from where. */
  readonly symbols: readonly { symbol: string; source: WarmUpSourceName; baseBars: number }[];
  /** One line for a person: why warm-up is off, or what it delivered. */
  readonly detail: string;
}

/** What one strategy instance was warmed up with. */
export interface StrategyWarmUp {
  /** Closed bars of the strategy's own timeframe in its history (the fewest over its symbols; 0: cold). */
  readonly bars: number;
  /** Per symbol: closed bars of the strategy's timeframe, and where they came from. */
  readonly symbols: readonly { symbol: string; source: WarmUpSourceName; bars: number }[];
}
