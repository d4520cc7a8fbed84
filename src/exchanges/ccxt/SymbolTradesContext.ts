import type { TradeBarBuilder } from '../../data/TradeBarBuilder.js';
import type { BarMismatch, ExchangeBarCheck } from '../ExchangeBarCheck.js';
import type { FeedContext } from './FeedContext.js';

/** One timeframe of a symbol: the bars we build and their check against the venue's candles. */
export interface TfState {
  readonly timeframe: string;
  readonly ms: number;
  readonly builder: TradeBarBuilder;
  readonly check: ExchangeBarCheck;
  /** Bars before this bucket may be partial (we joined mid-bucket): not delivered. */
  firstFullBucket: number;
}

/** What the trades of a symbol need from their feed. */
export interface SymbolTradesContext extends FeedContext {
  /** After a trade id jump, time allowed for the missing trades to arrive late before fetching them. */
  readonly gapGraceMs: number;
  /** Trades per backfill (and poll) request. */
  readonly backfillLimit: number;
  /** Backfill requests per repair before giving up on a hole. */
  readonly maxBackfillPages: number;
  /** The newest venue timestamp of a delivery (venue time, by which quiet bars close). */
  observeVenueTime(ts: number): void;
  /** A closed bar of ours differs from the venue's candle: confirm and report it. */
  mismatch(symbol: string, timeframe: string, m: BarMismatch): void;
}

/** Counters of one symbol's trades, for the feed's stats. */
export interface SymbolTradeCounts {
  readonly duplicateTrades: number;
  /** Most trades found late by any one timeframe. */
  readonly lateTrades: number;
  readonly barsChecked: number;
  readonly backfillRequests: number;
  readonly backfilledTrades: number;
  readonly skippedTradeIds: number;
}
