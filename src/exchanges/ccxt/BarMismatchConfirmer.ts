import { FeedWarningCode } from '../../data/MarketDataFeed.js';
import type { Bar } from '../../model/Bar.js';
import type { BarMismatch } from '../ExchangeBarCheck.js';
import { barDifferences } from '../ExchangeBarCheck.js';
import { toBar } from './ccxtMappers.js';
import type { FeedContext } from './FeedContext.js';
import { errorText } from './tradeBackfill.js';

/**
 * Reports the bars of ours that differ from the venue's candle (FEED_BAR_MISMATCH), once the
 * venue's REST history confirms it. Confirmations run in the background; `settled()` waits
 * for those under way.
 */
export class BarMismatchConfirmer {
  private readonly confirming = new Set<Promise<void>>();
  private mismatches = 0;
  private streamArtifacts = 0;

  constructor(private readonly ctx: FeedContext) {}

  /** Checks `m` (a bar of `symbol` `timeframe`) against the venue's history, then reports it. */
  confirm(symbol: string, timeframe: string, m: BarMismatch): void {
    const p = this.confirmMismatch(symbol, timeframe, m).catch((e: unknown) =>
      this.ctx.emit(() => this.ctx.listener.onError(e)),
    );
    this.confirming.add(p);
    void p.finally(() => this.confirming.delete(p));
  }

  /** Resolves once the confirmations under way have ended. */
  async settled(): Promise<void> {
    await Promise.allSettled([...this.confirming]);
  }

  /** Bars that differ from the venue's candle (confirmed by its REST history when possible). */
  barMismatches(): number {
    return this.mismatches;
  }

  /** Stream candles that differed but the venue's REST history agreed with our bar. */
  barStreamArtifacts(): number {
    return this.streamArtifacts;
  }

  /**
   * The kline stream says a bar of ours differs. ccxt does not pass on Binance's "candle
   * closed" flag, so the last stream version of a candle can be a stale one (reordered or
   * lost updates): ask the venue's REST history before crying wolf.
   */
  private async confirmMismatch(symbol: string, timeframe: string, m: BarMismatch): Promise<void> {
    const { ctx } = this;
    let theirs: Bar | undefined = m.theirs;
    let confirmed = false;
    if (ctx.exchange.has['fetchOHLCV'] === true) {
      try {
        const rows = await ctx.exchange.fetchOHLCV(symbol, timeframe, m.ts, 1);
        const row = rows.find((r) => r[0] === m.ts);
        theirs = row === undefined ? undefined : toBar(row, symbol, timeframe, true);
        confirmed = true;
      } catch (e) {
        ctx.log.warn({ feed: ctx.feed, symbol, ts: m.ts, err: errorText(e) }, 'could not confirm a bar');
      }
    }
    const fields = confirmed ? barDifferences(m.ours, theirs) : m.fields;
    if (fields.length === 0) {
      this.streamArtifacts++;
      ctx.log.debug(
        { feed: ctx.feed, symbol, timeframe, ts: m.ts, streamFields: m.fields },
        'kline stream showed a stale candle; the venue history agrees with our bar',
      );
      return;
    }
    this.mismatches++;
    ctx.log.warn(
      { feed: ctx.feed, symbol, timeframe, ts: m.ts, fields, confirmed },
      'our bar differs from the venue candle',
    );
    ctx.emit(() =>
      ctx.listener.onWarning({
        code: FeedWarningCode.BarMismatch,
        message: `${symbol} ${timeframe} bar at ${new Date(m.ts).toISOString()} differs from the venue's candle in ${fields.join(', ')}`,
        symbol,
        details: { timeframe, ts: m.ts, ours: m.ours, theirs, confirmed },
      }),
    );
  }
}
