import { timeframeToMs } from '../../../core/time.js';
import type { MessageBus } from '../../../kernel/MessageBus.js';
import { barsTopic, formingBarsTopic, tradesTopic } from '../../../kernel/topics.js';
import type { Bar } from '../../../model/Bar.js';
import { Throttle } from '../Throttle.js';
import type { SourceContext } from './guard.js';
import { guarded } from './guard.js';

/** A symbol and the candle timeframes published for it. */
export interface MarketFeed {
  readonly symbol: string;
  readonly timeframes: readonly string[];
}

export interface Ticker {
  readonly symbol: string;
  readonly price: number;
  /** Time of the print, of the closed bar's end, or (forming bar) when it was seen. */
  readonly ts: number;
}

/** Closed candles a `candles:*` snapshot carries. */
export const CANDLE_HISTORY = 200;

/**
 * `tickers:<symbol>` (last price, throttled) and `candles:<symbol>:<tf>` (every closed bar,
 * and the forming bar throttled). A closed bar is never throttled away: it cancels a
 * pending forming update and goes out at once.
 */
export function marketChannels(
  ctx: SourceContext,
  bus: MessageBus,
  feeds: readonly MarketFeed[],
): () => void {
  const offs: (() => void)[] = [];
  const throttles: Throttle[] = [];
  for (const { symbol, timeframes } of feeds) {
    let ticker: Ticker | undefined;
    const tickers = ctx.registry.channel({ name: `tickers:${symbol}`, snapshot: () => ticker ?? null });
    const tick = new Throttle(
      ctx.throttleMs,
      guarded<void>(ctx.log, 'tickers', () => tickers.publish(ticker)),
      ctx.now,
    );
    throttles.push(tick);
    const see = (price: number, ts: number): void => {
      ticker = { symbol, price, ts };
      tick.trigger();
    };
    offs.push(
      bus.subscribe(
        tradesTopic(symbol),
        guarded(ctx.log, 'tickers', (t) => see(t.price, t.ts)),
      ),
    );
    for (const tf of timeframes) {
      const closed: Bar[] = [];
      let forming: Bar | undefined;
      const name = `candles:${symbol}:${tf}`;
      const candles = ctx.registry.channel({
        name,
        replayDepth: 500,
        snapshot: () => ({ symbol, timeframe: tf, candles: [...closed], forming: forming ?? null }),
      });
      const formingThrottle = new Throttle(
        ctx.throttleMs,
        guarded<void>(ctx.log, 'candles', () => candles.publish(forming)),
        ctx.now,
      );
      throttles.push(formingThrottle);
      const tfMs = timeframeToMs(tf);
      offs.push(
        bus.subscribe(
          barsTopic(symbol, tf),
          guarded(ctx.log, 'candles', (bar) => {
            formingThrottle.cancel();
            forming = undefined;
            closed.push(bar);
            if (closed.length > CANDLE_HISTORY) closed.shift();
            candles.publish(bar);
            see(bar.close, bar.ts + tfMs);
          }),
        ),
        bus.subscribe(
          formingBarsTopic(symbol, tf),
          guarded(ctx.log, 'candles', (bar) => {
            forming = bar;
            formingThrottle.trigger();
            see(bar.close, ctx.now());
          }),
        ),
      );
    }
  }
  return () => {
    for (const off of offs) off();
    for (const t of throttles) t.dispose();
  };
}
