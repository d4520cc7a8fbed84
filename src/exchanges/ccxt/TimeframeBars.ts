import { timeframeToMs } from '../../core/time.js';
import { bucketStart } from '../../data/bucketStart.js';
import { TradeBarBuilder } from '../../data/TradeBarBuilder.js';
import type { Bar, Trade } from '../../model/Bar.js';
import { ExchangeBarCheck } from '../ExchangeBarCheck.js';
import type { SymbolTradesContext, TfState } from './SymbolTradesContext.js';

/**
 * The bars of one symbol, one builder per timeframe, fed its trades once each and in venue
 * order (SymbolTrades sees to that). A bar we joined mid-period is withheld, as it would
 * differ from the venue's; every other closed bar is delivered and checked against the
 * venue's candle of the same period.
 */
export class TimeframeBars {
  readonly tfs: readonly TfState[];

  constructor(
    private readonly ctx: SymbolTradesContext,
    private readonly symbol: string,
    timeframes: readonly string[],
  ) {
    this.tfs = timeframes.map((tf) => ({
      timeframe: tf,
      ms: timeframeToMs(tf),
      builder: new TradeBarBuilder(symbol, tf),
      check: new ExchangeBarCheck(symbol, tf),
      firstFullBucket: -Infinity,
    }));
  }

  /**
   * Adds one trade to every timeframe; returns in how many it came too late (its bar had
   * closed). A trade of a new period first closes the previous bar (that period ended before
   * the print): an order placed on the close can fill on this very print, the next bar's
   * open, as in a backtest.
   */
  add(t: Trade): number {
    let late = 0;
    for (const tf of this.tfs) {
      const r = tf.builder.add(t);
      if (r.status === 'late') late++;
      if (r.closed !== undefined) this.onOurClosed(tf, r.closed);
    }
    return late;
  }

  /** Delivers the forming bar of each timeframe (after a batch of trades). */
  emitForming(): void {
    const { ctx } = this;
    for (const tf of this.tfs) {
      const cur = tf.builder.current();
      if (cur !== undefined) ctx.emit(() => ctx.listener.onBar(cur));
    }
  }

  /** Closes the forming bars that ended before `upTo` (venue time). */
  closeUpTo(upTo: number): void {
    for (const tf of this.tfs) {
      const bar = tf.builder.closeUpTo(upTo);
      if (bar !== undefined) this.onOurClosed(tf, bar);
    }
  }

  /** Compares the venue's final candles of `tf` with our closed bars, as far as both go. */
  settle(tf: TfState): void {
    for (const m of tf.check.settle(tf.builder.lastClosedTs(), tf.firstFullBucket))
      this.ctx.mismatch(this.symbol, tf.timeframe, m);
  }

  /** Start of the period of `ts` in the longest timeframe: how far back the first bars reach. */
  earliestPeriodStart(ts: number): number {
    return Math.min(...this.tfs.map((tf) => bucketStart(ts, tf.ms)));
  }

  /**
   * The first trade delivered is at `startTs`, and trades are known from `coverage` on: a
   * period starting before `coverage` may miss trades, so its bar is withheld.
   */
  startAt(startTs: number, coverage: number): void {
    for (const tf of this.tfs) {
      const b = bucketStart(startTs, tf.ms);
      tf.firstFullBucket = b < coverage ? b + tf.ms : b;
    }
  }

  /** Per timeframe: whether its bar of `startTs`'s period will be delivered whole. */
  completeFrom(startTs: number): boolean[] {
    return this.tfs.map((tf) => tf.firstFullBucket <= bucketStart(startTs, tf.ms));
  }

  /** Most trades found late by any one timeframe, and the closed bars compared with the venue's. */
  counts(): { lateTrades: number; barsChecked: number } {
    let late = 0;
    let checked = 0;
    for (const tf of this.tfs) {
      late = Math.max(late, tf.builder.stats().late);
      checked += tf.check.comparedCount();
    }
    return { lateTrades: late, barsChecked: checked };
  }

  private onOurClosed(tf: TfState, bar: Bar): void {
    const { ctx } = this;
    if (bar.ts < tf.firstFullBucket) {
      ctx.log.info(
        { feed: ctx.feed, symbol: this.symbol, timeframe: tf.timeframe, ts: bar.ts },
        'first bar joined mid-period: not delivered',
      );
      return;
    }
    ctx.emit(() => ctx.listener.onBar(bar));
    tf.check.onOurBar(bar);
    this.settle(tf);
  }
}
