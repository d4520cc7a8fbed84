import type { FeedGap, FeedWarning, MarketDataListener } from '../data/MarketDataFeed.js';
import type { Bar, Trade } from '../model/Bar.js';

/** What the engine takes market data through (TradingNode implements it). */
export interface MarketDataSink {
  onBar(bar: Bar): void;
  onTrade(trade: Trade): void;
}

/** Health of one symbol's data as the feed reported it, for the API and the monitor. */
export interface SymbolFeedHealth {
  readonly symbol: string;
  readonly stale: boolean;
  /** Wall time since which the symbol is stale (undefined while fresh). */
  readonly staleSince: number | undefined;
  readonly lastBarTs: number | undefined;
  readonly gapsOpen: number;
  readonly gapsUnfillable: number;
  readonly warnings: number;
}

/** Options of feedToNode. */
export interface FeedToNodeOptions {
  /** The timeframe the engine gets as its base; bars of other timeframes are not forwarded. */
  readonly baseTimeframe: string;
  /** Forming bars (closed: false), e.g. for a live chart; the engine only gets closed bars. */
  readonly onFormingBar?: (bar: Bar) => void;
  readonly onStale?: (symbol: string, sinceMs: number) => void;
  readonly onFresh?: (symbol: string) => void;
  readonly onGap?: (gap: FeedGap) => void;
  readonly onWarning?: (warning: FeedWarning) => void;
  readonly onError?: (err: unknown) => void;
}

/**
 * Wires a market data feed to the engine: closed bars of the base timeframe and every
 * trade go to the node (which builds higher timeframes itself, as in a backtest, so shadow
 * and backtest bars come out of the same aggregation code). Forming bars never reach
 * strategies: they are promised closed bars. Tickers and books are not the engine's
 * business yet. Keeps a per-symbol health record for the API and the monitor.
 */
export function feedToNode(
  node: MarketDataSink,
  options: FeedToNodeOptions,
): { listener: MarketDataListener; health: () => SymbolFeedHealth[] } {
  const health = new Map<string, { -readonly [K in keyof SymbolFeedHealth]: SymbolFeedHealth[K] }>();
  const of = (symbol: string) => {
    let h = health.get(symbol);
    if (h === undefined) {
      h = {
        symbol,
        stale: false,
        staleSince: undefined,
        lastBarTs: undefined,
        gapsOpen: 0,
        gapsUnfillable: 0,
        warnings: 0,
      };
      health.set(symbol, h);
    }
    return h;
  };
  const listener: MarketDataListener = {
    onTrade: (trade) => node.onTrade(trade),
    onBar: (bar) => {
      if (bar.timeframe !== options.baseTimeframe) return;
      if (!bar.closed) {
        options.onFormingBar?.(bar);
        return;
      }
      of(bar.symbol).lastBarTs = bar.ts;
      node.onBar(bar);
    },
    onTicker: () => undefined,
    onBook: () => undefined,
    onStale: (symbol, sinceMs) => {
      const h = of(symbol);
      h.stale = true;
      h.staleSince = sinceMs;
      options.onStale?.(symbol, sinceMs);
    },
    onFresh: (symbol) => {
      const h = of(symbol);
      h.stale = false;
      h.staleSince = undefined;
      options.onFresh?.(symbol);
    },
    onGap: (gap) => {
      const h = of(gap.symbol);
      if (gap.phase === 'open') h.gapsOpen++;
      else h.gapsOpen = Math.max(0, h.gapsOpen - 1);
      if (gap.phase === 'unfillable') h.gapsUnfillable++;
      options.onGap?.(gap);
    },
    onWarning: (w) => {
      if (w.symbol !== undefined) of(w.symbol).warnings++;
      options.onWarning?.(w);
    },
    onError: (err) => options.onError?.(err),
  };
  return { listener, health: () => [...health.values()].map((h) => ({ ...h })) };
}
