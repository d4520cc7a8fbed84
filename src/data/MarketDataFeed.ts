import type { Millis } from '../core/time.js';
import type { Bar, Trade } from '../model/Bar.js';

/**
 * Where live or replayed market data comes from. The composition root picks one feed per
 * mode (an exchange stream for shadow and live, a replay or a synthetic series for tests)
 * and hands its output to the engine through a `MarketDataListener`; nothing downstream
 * knows which kind it got.
 */
export interface MarketDataFeed {
  /** Connects and starts delivering; resolves once every stream has been asked for. */
  start(): Promise<void>;
  /** Stops every stream and timer; resolves when nothing of the feed is left running. */
  stop(): Promise<void>;
  /** Human name for logs and health ("binance", "replay:XRP_ETH-1m.csv"). */
  readonly name: string;
  readonly kind: MarketDataFeedKind;
}

/** The kinds of feed. */
export const MarketDataFeedKind = {
  Exchange: 'exchange',
  Replay: 'replay',
  Synthetic: 'synthetic',
} as const;
/** One of the MarketDataFeedKind values. */
export type MarketDataFeedKind = (typeof MarketDataFeedKind)[keyof typeof MarketDataFeedKind];

/** Best bid/ask and last price of one symbol, as the venue last reported it. */
export interface Ticker {
  readonly symbol: string;
  /** Venue time of the quote (or receive time when the venue sends none). */
  readonly ts: Millis;
  readonly bid: number | undefined;
  readonly bidSize: number | undefined;
  readonly ask: number | undefined;
  readonly askSize: number | undefined;
  readonly last: number | undefined;
  /** Rolling 24h volume in the base currency, when the venue reports it. */
  readonly baseVolume: number | undefined;
}

/** One price level: price and the amount resting at it. */
export type BookLevel = readonly [price: number, amount: number];

/**
 * A snapshot of the top of an order book. `sequence` is the venue's update id of the last
 * change folded in (Binance `lastUpdateId`/`u`), undefined where the venue exposes none;
 * it only grows while the book stays in sync, and a resync starts it afresh.
 */
export interface OrderBookView {
  readonly symbol: string;
  readonly ts: Millis;
  readonly sequence: number | undefined;
  /** Best first (highest price). */
  readonly bids: readonly BookLevel[];
  /** Best first (lowest price). */
  readonly asks: readonly BookLevel[];
}

/** Which stream of a symbol a gap was found in. */
export type FeedStream = 'trades' | 'bars' | 'ticker' | 'book';

/**
 * A hole in a stream and what was done about it. A gap is reported when it is found
 * (`phase: 'open'`) and again when it is closed: `filled` when every missing item was
 * recovered (the bars built afterwards equal the uninterrupted ones), `unfillable` when
 * the venue could not supply them (the bars around it may differ from the venue's).
 */
export interface FeedGap {
  readonly symbol: string;
  readonly stream: FeedStream;
  readonly phase: 'open' | 'filled' | 'unfillable';
  /** Why the gap was suspected. */
  readonly reason: 'trade-id-jump' | 'reconnect' | 'book-sequence';
  /** First missing trade id (trades with consecutive ids), or the last id seen before the hole. */
  readonly fromId: string | undefined;
  /** Last missing trade id, when known. */
  readonly toId: string | undefined;
  /** Items known to be missing when the gap was found (0 when unknown, e.g. after a reconnect). */
  readonly missing: number;
  /** Items recovered by the backfill so far. */
  readonly recovered: number;
}

/** Something a feed noticed that a person should see but that did not stop it. */
export interface FeedWarning {
  readonly code: FeedWarningCode;
  readonly message: string;
  readonly symbol: string | undefined;
  readonly details: Readonly<Record<string, unknown>> | undefined;
}

/** The warning codes of market data feeds. */
export const FeedWarningCode = {
  /** A closed bar built from trades differs from the venue's own candle for that period. */
  BarMismatch: 'FEED_BAR_MISMATCH',
  /** Trades arrived for a bar already closed; they were counted, not applied. */
  LateTrades: 'FEED_LATE_TRADES',
  /** A stream failed and is being reconnected. */
  Reconnecting: 'FEED_RECONNECTING',
} as const;
/** One of the FeedWarningCode values. */
export type FeedWarningCode = (typeof FeedWarningCode)[keyof typeof FeedWarningCode];

/**
 * What a feed calls. Bars arrive as updates of the forming bar (`closed: false`, any number
 * of times) and then exactly once closed, in time order per symbol and timeframe. One
 * exception: a bar the feed joined mid-period, whose earlier trades it could not fetch, shows
 * as forming but is never delivered closed (its open and volume would be wrong). Trades
 * arrive once each (duplicates are suppressed), in venue order per symbol.
 */
export interface MarketDataListener {
  onTrade(trade: Trade): void;
  onBar(bar: Bar): void;
  onTicker(ticker: Ticker): void;
  onBook(book: OrderBookView): void;
  /** No message for `symbol` since `sinceMs` (wall time): data may be old; do not trade on it. */
  onStale(symbol: string, sinceMs: Millis): void;
  /** Data for `symbol` flows again after an `onStale`. */
  onFresh(symbol: string): void;
  onGap(info: FeedGap): void;
  onWarning(warning: FeedWarning): void;
  /** A failure the feed could not handle by itself (it keeps retrying unless stopped). */
  onError(err: unknown): void;
}

/** A listener that does nothing for every callback not given: for consumers that want a few. */
export function marketDataListener(h: Partial<MarketDataListener>): MarketDataListener {
  return {
    onTrade: (trade) => h.onTrade?.(trade),
    onBar: (bar) => h.onBar?.(bar),
    onTicker: (ticker) => h.onTicker?.(ticker),
    onBook: (book) => h.onBook?.(book),
    onStale: (symbol, sinceMs) => h.onStale?.(symbol, sinceMs),
    onFresh: (symbol) => h.onFresh?.(symbol),
    onGap: (info) => h.onGap?.(info),
    onWarning: (warning) => h.onWarning?.(warning),
    onError: (err) => h.onError?.(err),
  };
}
