import type { Ticker as CcxtTicker } from 'ccxt';
import type { Trade } from '../../model/Bar.js';
import { bookStream } from './bookStream.js';
import { candleStream } from './candleStream.js';
import { toTicker, toTrades } from './ccxtMappers.js';
import type { StreamLoopContext } from './streamLoop.js';
import { streamLoop } from './streamLoop.js';
import type { SymbolTrades } from './SymbolTrades.js';
import type { TfState } from './SymbolTradesContext.js';
import { watchTickerParams } from './venueQuirks.js';

/** A symbol's trades, and what the feed watches of its streams (trade connection, staleness). */
export interface SymbolState {
  readonly symbol: string;
  readonly trades: SymbolTrades;
  tradesConnected: boolean;
  lastMessageAt: number;
  stale: boolean;
}

/** What the stream loops of a symbol need from their feed beyond a stream loop's context. */
export interface SymbolStreamsContext extends StreamLoopContext {
  /** Our bars are built from the trade stream; false: the venue's candles are the bars. */
  readonly barsFromTrades: boolean;
  /** Levels of each order book. */
  readonly bookDepth: number;
  /** Now on the feed's clock. */
  now(): number;
  /** A message of the symbol arrived (staleness). */
  touch(st: SymbolState): void;
  /** An order book was resubscribed after a broken sequence. */
  bookResynced(): void;
}

/**
 * The public streams of a CcxtMarketDataFeed's symbols, each until the feed stops: trades
 * (into the symbol's SymbolTrades), the venue's candles of each timeframe, the ticker and
 * the order book. Each message marks its symbol fresh.
 */
export class SymbolStreams {
  constructor(private readonly ctx: SymbolStreamsContext) {}

  async trades(st: SymbolState): Promise<void> {
    const { ctx } = this;
    await streamLoop(ctx, st.symbol, 'trades', {
      watch: async () => {
        const got = await ctx.exchange.watchTrades(st.symbol);
        st.tradesConnected = true;
        this.onTrades(st, toTrades(got, st.symbol));
      },
      poll: async () => {
        const got = await st.trades.poll();
        st.tradesConnected = true;
        this.onTrades(st, got);
      },
      onFailure: () => {
        st.tradesConnected = false;
      },
      onRetry: () => st.trades.reconnected(),
    });
  }

  candles(st: SymbolState, tf: TfState): Promise<void> {
    return candleStream(this.ctx, {
      symbol: st.symbol,
      timeframe: tf.timeframe,
      check: tf.check,
      barsFromTrades: this.ctx.barsFromTrades,
      touched: () => this.ctx.touch(st),
      settle: () => st.trades.settle(tf),
    });
  }

  async ticker(st: SymbolState): Promise<void> {
    const { ctx } = this;
    const handle = (t: CcxtTicker): void => {
      ctx.touch(st);
      const ticker = toTicker(t, st.symbol, ctx.now());
      ctx.emit(() => ctx.listener.onTicker(ticker));
    };
    await streamLoop(ctx, st.symbol, 'ticker', {
      watch: async () => handle(await ctx.exchange.watchTicker(st.symbol, watchTickerParams(ctx.exchange))),
      poll: async () => {
        const t = await ctx.exchange.fetchTicker(st.symbol);
        handle(t);
      },
    });
  }

  book(st: SymbolState): Promise<void> {
    return bookStream(this.ctx, st.symbol, {
      depth: this.ctx.bookDepth,
      now: () => this.ctx.now(),
      touched: () => this.ctx.touch(st),
      resynced: () => this.ctx.bookResynced(),
    });
  }

  private onTrades(st: SymbolState, trades: readonly Trade[]): void {
    if (trades.length === 0) return;
    this.ctx.touch(st);
    st.trades.onTrades(trades);
  }
}
