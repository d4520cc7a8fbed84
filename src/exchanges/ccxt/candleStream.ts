import type { OHLCV } from 'ccxt';
import type { Bar } from '../../model/Bar.js';
import type { ExchangeBarCheck } from '../ExchangeBarCheck.js';
import { toBar } from './ccxtMappers.js';
import type { StreamLoopContext } from './streamLoop.js';
import { streamLoop } from './streamLoop.js';

/** What the candle stream of a symbol and timeframe needs beyond the stream loop. */
export interface CandleStreamOptions {
  readonly symbol: string;
  readonly timeframe: string;
  /** Where the venue's candles go to be compared with our bars. */
  readonly check: ExchangeBarCheck;
  /** Our bars are built from trades; false: the venue's candles are the bars. */
  readonly barsFromTrades: boolean;
  /** A message arrived (staleness). */
  touched(): void;
  /** Candles became final: compare them with our closed bars. */
  settle(): void;
}

/**
 * The venue's candles of one symbol and timeframe until stop: checked against the bars we
 * build from trades, or delivered as the bars when the feed has no trade stream.
 */
export async function candleStream(ctx: StreamLoopContext, o: CandleStreamOptions): Promise<void> {
  const { symbol, timeframe, check } = o;
  if (ctx.exchange.timeframes[timeframe] === undefined) {
    ctx.log.info(
      { feed: ctx.feed, symbol, timeframe },
      'venue has no candles of this timeframe: bars are not cross-checked',
    );
    return;
  }
  const handle = (candles: readonly OHLCV[]): void => {
    o.touched();
    const bars: Bar[] = [];
    for (const c of candles) {
      const b = toBar(c, symbol, timeframe, false);
      if (b !== undefined) bars.push(b);
    }
    const closed = check.onVenueCandles(bars);
    if (!o.barsFromTrades) {
      // Without a trade stream the venue's candles are the bars.
      for (const b of closed) ctx.emit(() => ctx.listener.onBar(b));
      const latest = bars.at(-1);
      if (latest !== undefined) ctx.emit(() => ctx.listener.onBar(latest));
    } else {
      o.settle();
    }
  };
  let since: number | undefined;
  await streamLoop(ctx, symbol, 'ohlcv', {
    watch: async () => {
      const got = await ctx.exchange.watchOHLCV(symbol, timeframe);
      handle(got);
    },
    poll: async () => {
      const got = await ctx.exchange.fetchOHLCV(symbol, timeframe, since, 100);
      const last = got.at(-1)?.[0];
      if (last !== undefined) since = last;
      handle(got);
    },
    onFailure: () => check.taint(),
  });
}
