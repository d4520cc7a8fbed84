import type { BarMismatchConfirmer } from './BarMismatchConfirmer.js';
import type { SymbolTradeCounts } from './SymbolTradesContext.js';

/** Counters of a running feed, for health endpoints and tests. */
export interface FeedStats {
  readonly reconnects: number;
  readonly backfillRequests: number;
  readonly backfilledTrades: number;
  readonly duplicateTrades: number;
  /**
   * Trades that arrived after their bar closed, not applied: summed over the symbols, each
   * counted by its timeframe that found the most (a trade late for 5m is late for 1m too).
   */
  readonly lateTrades: number;
  readonly skippedTradeIds: number;
  readonly bookResyncs: number;
  /** Closed bars compared with the venue's candle of the same period. */
  readonly barsChecked: number;
  /** Bars that differ from the venue's candle (confirmed by its REST history when possible). */
  readonly barMismatches: number;
  /** Stream candles that differed but the venue's REST history agreed with our bar. */
  readonly barStreamArtifacts: number;
}

/**
 * The feed's counters: each symbol's trade counters summed (a symbol's late trades are those of
 * its timeframe that found the most, see FeedStats.lateTrades), with the feed's own reconnects
 * and book resyncs and the bar mismatches its confirmer settled.
 */
export function feedStats(
  symbols: readonly SymbolTradeCounts[],
  feed: { readonly reconnects: number; readonly bookResyncs: number },
  mismatches: Pick<BarMismatchConfirmer, 'barMismatches' | 'barStreamArtifacts'>,
): FeedStats {
  let backfillRequests = 0;
  let backfilledTrades = 0;
  let skippedTradeIds = 0;
  let dups = 0;
  let late = 0;
  let checked = 0;
  for (const c of symbols) {
    backfillRequests += c.backfillRequests;
    backfilledTrades += c.backfilledTrades;
    skippedTradeIds += c.skippedTradeIds;
    dups += c.duplicateTrades;
    late += c.lateTrades;
    checked += c.barsChecked;
  }
  return {
    reconnects: feed.reconnects,
    backfillRequests,
    backfilledTrades,
    skippedTradeIds,
    bookResyncs: feed.bookResyncs,
    barMismatches: mismatches.barMismatches(),
    barStreamArtifacts: mismatches.barStreamArtifacts(),
    duplicateTrades: dups,
    lateTrades: late,
    barsChecked: checked,
  };
}
