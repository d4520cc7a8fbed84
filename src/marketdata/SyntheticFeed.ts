import { Rng } from '../core/Rng.js';
import { timeframeToMs } from '../core/time.js';
import type { Bar } from '../model/Bar.js';
import type { BarSink } from './ReplayFeed.js';

export interface SyntheticMarket {
  readonly symbol: string;
  readonly startPrice: number;
}

/**
 * A seeded random-walk market, the last fallback of shadow mode (no exchange, no history
 * files): the system still runs end to end on a fresh machine without internet. Each tick
 * closes one bar per symbol; bar times advance one timeframe per tick from `startTs`. The
 * status says SYNTHETIC. The same seed always gives the same market.
 */
export class SyntheticFeed {
  readonly kind = 'synthetic' as const;
  readonly name: string;
  private readonly rng: Rng;
  private readonly tfMs: number;
  private readonly prices: number[];
  private ts: number;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly markets: readonly SyntheticMarket[],
    private readonly timeframe: string,
    private readonly sink: BarSink,
    private readonly barsPerSecond: number,
    seed: number,
    startTs: number,
    private readonly volatility = 0.002,
  ) {
    this.rng = new Rng(seed);
    this.tfMs = timeframeToMs(timeframe);
    this.ts = Math.floor(startTs / this.tfMs) * this.tfMs;
    this.prices = markets.map((m) => m.startPrice);
    this.name = `synthetic market (seed ${seed}) for ${markets.map((m) => m.symbol).join(', ')}`;
  }

  /** Closes the next bar of every symbol. */
  tick(): void {
    for (let k = 0; k < this.markets.length; k++) {
      const open = this.prices[k] as number;
      // Four sub-steps give a bar a believable high/low around open and close.
      let price = open;
      let high = open;
      let low = open;
      for (let j = 0; j < 4; j++) {
        price *= Math.exp(this.volatility * 0.5 * this.rng.normal());
        high = Math.max(high, price);
        low = Math.min(low, price);
      }
      const close = round(price);
      this.prices[k] = close;
      const bar: Bar = {
        symbol: (this.markets[k] as SyntheticMarket).symbol,
        timeframe: this.timeframe,
        ts: this.ts,
        open,
        high: Math.max(round(high), open, close),
        low: Math.min(round(low), open, close),
        close,
        volume: round(10 + 90 * this.rng.next()),
        closed: true,
      };
      this.sink.onBar(bar);
    }
    this.ts += this.tfMs;
  }

  start(): Promise<void> {
    this.timer = setInterval(() => this.tick(), 1000 / this.barsPerSecond);
    return Promise.resolve();
  }

  stop(): Promise<void> {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    return Promise.resolve();
  }
}

/** Prices on a 0.01 grid, like a real quote. */
function round(x: number): number {
  return Math.round(x * 100) / 100;
}
