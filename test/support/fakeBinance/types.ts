/**
 * The data types of the fake Binance: what a test hands in (markets, trades) and what it can
 * read back (the request log). They live apart from FakeBinance.ts so that every part of the
 * server can import them without an import cycle; FakeBinance.ts re-exports them.
 */
import type { BarSeries } from '../../../src/model/BarSeries.js';

/** One public trade of the tape, as Binance reports it (`side` is the taker's side). */
export interface FakeTrade {
  readonly id: number;
  /** Trade time, epoch milliseconds. */
  readonly ts: number;
  readonly price: number;
  readonly amount: number;
  readonly side: 'buy' | 'sell';
}

/** One spot market served by the fake. */
export interface FakeMarket {
  /** Unified symbol, `BASE/QUOTE` (e.g. 'XRP/ETH'); the Binance id is BASE+QUOTE. */
  readonly symbol: string;
  /** The tape to replay, ids strictly increasing, times non-decreasing. */
  readonly trades?: readonly FakeTrade[];
  /**
   * Candles of the market (any fixed Binance interval, despite the name: 5m files work too).
   * Without `trades`, the tape is synthesized from them (4 trades per candle at O, H/L, L/H, C,
   * see synthesizeTrades) so every kline interval that is a multiple of theirs reproduces them
   * exactly. With `trades` too, they must agree with the trades (checked at start).
   */
  readonly candles1m?: BarSeries;
  /** PRICE_FILTER tickSize, e.g. '0.00000001'; default: the finest decimal of the prices (≤ 8). */
  readonly tickSize?: string;
  /** LOT_SIZE stepSize (also minQty); default: the finest decimal of the amounts (≤ 8). */
  readonly lotSize?: string;
  /** NOTIONAL minNotional in the quote currency; default '0.00010000'. */
  readonly minNotional?: string;
  /**
   * Replay starts at the first trade at or after this time: earlier trades are history,
   * visible to REST from the start. Default: the beginning of the tape (no history).
   */
  readonly startTime?: number;
  /**
   * Also serve the market as a USDT-M perpetual (unified BASE/QUOTE:QUOTE) on /fapi, replaying
   * the same tape: its last trade is the futures price and mark price.
   */
  readonly futures?: boolean;
  /**
   * Funding schedule of the perpetual (with `futures`): a settlement at every epoch multiple of
   * `everyMs` the replay clock reaches, at `rate` (decimal string, e.g. '0.0001'); see
   * futuresFunding. Without it, funding happens only through `fake.settleFunding`.
   */
  readonly funding?: { readonly everyMs: number; readonly rate: string };
}

/** The trading account behind the private API (see FakeAccount). */
export interface FakeAccountOptions {
  /** API key → secret; every key trades the same account. */
  readonly apiKeys?: Readonly<Record<string, string>>;
  /** Spot balances, exact decimal strings, e.g. { ETH: '10', XRP: '0' }. */
  readonly balances?: Readonly<Record<string, string>>;
  /** USDT-M wallet balance in USDT, e.g. '1000'. */
  readonly futuresWallet?: string;
  /** Commissions in basis points (spot default 10/10, futures 2/5). */
  readonly spotMakerBps?: number;
  readonly spotTakerBps?: number;
  readonly futuresMakerBps?: number;
  readonly futuresTakerBps?: number;
  /** Leverage of a symbol never set by POST /fapi/v1/leverage (default 20). */
  readonly defaultLeverage?: number;
  /**
   * The clock signed timestamps and listen keys are checked against (default: the wall clock,
   * like Binance; the replay clock is market time and would refuse every ccxt timestamp).
   */
  readonly clock?: () => number;
}

/** Options of FakeBinance.start. */
export interface FakeBinanceOptions {
  readonly markets: readonly FakeMarket[];
  /** TCP port on 127.0.0.1; 0 (default) picks a free one. */
  readonly port?: number;
  /** Price levels on each side of the synthetic order book (default 100). */
  readonly bookLevels?: number;
  /** The account behind the private API; without it every signed request is refused (-2015). */
  readonly account?: FakeAccountOptions;
}

/** One HTTP request or WebSocket connection/subscription received by the fake. */
export interface FakeLogEntry {
  /** Wall-clock receive time, epoch ms. */
  readonly at: number;
  readonly kind: 'http' | 'ws';
  /** HTTP verb; for WebSocket: CONNECT, SUBSCRIBE, UNSUBSCRIBE, or the WebSocket API method. */
  readonly method: string;
  /** HTTP path without the query; for WebSocket: the connection path or the stream name. */
  readonly path: string;
  /** Whether it touched a signed, user-data, listenKey, order or account endpoint. */
  readonly private: boolean;
}

/** Faults a test can inject; see FakeBinance.faults. */
export interface FakeFaults {
  /** Closes every WebSocket connection now (clients must reconnect and resubscribe). */
  dropConnections(): void;
  /**
   * The next n trades of `symbol` are never sent over WebSocket (a gap in the trade and
   * aggTrade streams) but exist for REST; the book, kline and ticker streams still follow them.
   */
  skipTrades(symbol: string, n: number): void;
  /** The next n WebSocket stream messages are sent twice. */
  duplicateNext(n: number): void;
  /** The next n WebSocket stream messages are held back, then sent in reverse order. */
  reorderNext(n: number): void;
  /** WebSocket sends nothing for `ms` (connections stay open); what was held is sent after. */
  stall(ms: number): void;
  /**
   * The next `times` REST calls whose path starts with `pathPrefix` answer `status`: 429 and
   * 418 with Retry-After and Binance's -1003 body, 5xx with a plain-text body (like the
   * gateway in front of Binance), other codes with a -1000 body; `body` overrides it (an
   * object is sent as JSON).
   */
  failRest(pathPrefix: string, status: number, times: number, body?: unknown): void;
  /**
   * The next `times` REST calls under `pathPrefix` (default: every one) are answered `ms` late;
   * combines with the outcome faults below.
   */
  latency(pathPrefix: string, ms: number, times?: number): void;
  /** The next `times` calls are processed (an order is placed), then the connection is destroyed unanswered. */
  dropResponses(pathPrefix: string, times: number): void;
  /** The next `times` calls are processed (an order is placed), then answered a 5xx (default 503). */
  failAfterProcessing(pathPrefix: string, times: number, status?: number): void;
  /** The next `times` calls are never processed nor answered (the client times out). */
  hang(pathPrefix: string, times: number): void;
  /**
   * The next call under `pathPrefix` is answered 429 (or 418) with Retry-After; for that many
   * seconds every call is refused the same way and counted in requestsDuringBan.
   */
  rateLimit(status: 429 | 418, retryAfterSeconds: number, pathPrefix?: string): void;
  /** Requests received during a rateLimit window (a client that honours Retry-After sends 0). */
  readonly requestsDuringBan: number;
  /** The 429/418 windows opened (rateLimit or random bans): the path that opened each, and when. */
  readonly bans: readonly {
    readonly path: string;
    readonly status: 429 | 418;
    readonly from: number;
    readonly until: number;
  }[];
  /** A seeded random mix of REST faults (same seed, same requests: same faults). */
  random(opts: {
    seed: number;
    rate: number;
    kinds?: readonly (
      'latency' | 'drop' | 'fail-after' | 'fail-before' | 'rate-limit' | 'hang' | 'ban-429' | 'ban-418'
    )[];
    maxLatencyMs?: number;
    banSeconds?: number;
    pathPrefix?: string;
  }): void;
  /** The faults random() injected, in order. */
  readonly randomFaults: readonly { path: string; kind: string }[];
  /** Closes every user-data connection (spot WebSocket API subscriptions, futures listen-key streams). */
  dropUserStreams(): void;
  /** The next n execution reports (executionReport / ORDER_TRADE_UPDATE) are sent twice. */
  duplicateExecutionReports(n: number): void;
  /** The next n execution reports are held back, then sent in reverse order. */
  reorderExecutionReports(n: number): void;
  /** The next n execution reports are never sent (lost; only REST knows of them). */
  dropExecutionReports(n: number): void;
  /** Clears every fault; held messages (stall, reorder) are sent at once, in order. */
  reset(): void;
}
