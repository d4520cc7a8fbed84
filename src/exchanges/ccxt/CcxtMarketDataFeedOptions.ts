import type { Exchange } from 'ccxt';
import type { MarketDataListener } from '../../data/MarketDataFeed.js';
import type { Clock } from '../../kernel/Clock.js';
import type { BackoffOptions } from '../Backoff.js';
import type { FeedLogger } from '../FeedLogger.js';
import type { TradeIdScheme } from './fetchTradesFromId.js';
import type { RequestProblemHook } from './requestProblem.js';

/** Which streams a feed opens for each symbol (all by default). */
export interface FeedStreams {
  /** Public trades → our bars (the bars the engine trades on). */
  readonly trades: boolean;
  /** The venue's candles: checked against ours; the bar source when trades are off. */
  readonly ohlcv: boolean;
  readonly ticker: boolean;
  readonly book: boolean;
}

/** Options of a CcxtMarketDataFeed. */
export interface CcxtMarketDataFeedOptions {
  /** A ccxt exchange (ccxt.pro for streams; a REST instance is polled). See createExchange. */
  readonly exchange: Exchange;
  readonly symbols: readonly string[];
  /** Bar timeframes built from trades (default ["1m"]). */
  readonly timeframes?: readonly string[];
  readonly listener: MarketDataListener;
  /** Wall clock for timers and staleness (default LiveClock). */
  readonly clock?: Clock;
  readonly streams?: Partial<FeedStreams>;
  /** Levels per side in each OrderBookView (default 20). */
  readonly bookDepth?: number;
  /** No message for a symbol this long (wall ms) ⇒ onStale (default 30 000). */
  readonly staleAfterMs?: number;
  /**
   * A forming bar with no later trade is closed once venue time is this far past its end
   * (default 5 000 ms); false: bars close only when a later trade arrives.
   */
  readonly quietCloseAfterMs?: number | false;
  readonly backoff?: Partial<BackoffOptions>;
  /** Seed of the backoff jitter (default 1). */
  readonly seed?: number;
  /** Interval of REST polling for streams the venue cannot stream (default 2 000 ms). */
  readonly pollIntervalMs?: number;
  /** Default: from the exchange id (Binance: consecutive). */
  readonly tradeIds?: TradeIdScheme;
  /** After a trade id jump, time allowed for the missing trades to arrive late before fetching them (default 250 ms). */
  readonly gapGraceMs?: number;
  /** Trades per backfill request (default 1000, Binance's maximum). */
  readonly backfillLimit?: number;
  /** Backfill requests per repair before giving up on a hole (default 200). */
  readonly maxBackfillPages?: number;
  readonly logger?: FeedLogger;
  readonly name?: string;
  /** Close the exchange's connections in stop() (default true; false when the instance is shared). */
  readonly closeExchangeOnStop?: boolean;
  /** Told of each failed request and the wait before its retry (metrics of errors and rate-limit waits). */
  readonly onRequestProblem?: RequestProblemHook;
}
