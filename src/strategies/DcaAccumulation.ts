import { z } from 'zod';
import { divTrunc, floorToStep, fromNumber, toFixed } from '../core/Fixed.js';
import { timeframeToMs } from '../core/time.js';
import type { Bar } from '../model/Bar.js';
import { Strategy } from '../strategy/Strategy.js';
import { BuySkipWarnings } from './BuySkipWarnings.js';
import { buyShortfall } from './canAffordBuy.js';

const TIMER = 'dca';

const paramsSchema = z.object({
  amount: z
    .number()
    .min(1e-8)
    .max(1e12)
    .default(100)
    .meta({ step: 10, description: 'quote amount spent per buy (fees on top)' }),
  everyBars: z.number().int().min(1).max(100_000).default(1).meta({
    step: 1,
    description: 'buy every N bars, the first bar included (ignored when interval is set)',
  }),
  interval: z
    .string()
    .regex(/^[1-9]\d*[smhdw]$/, 'expected a period such as 1h, 1d or 1w')
    .optional()
    .meta({ description: 'buy on a timer of this period instead of every N bars' }),
  takeProfitPct: z
    .number()
    .min(0.1)
    .max(1000)
    .optional()
    .meta({ step: 0.5, description: 'sell everything once a close is this many % above the average entry' }),
});

export type DcaAccumulationParams = z.infer<typeof paramsSchema>;

/**
 * Dollar-cost averaging: spends a fixed quote `amount` at market on the first bar and
 * then every `everyBars` bars (bars counted from the first live one: warm-up history is
 * skipped), or, with `interval`, on a repeating timer from the start at the last known
 * price, whatever the price. With `takeProfitPct`, a close that far above the position's
 * average entry sells the whole position, and accumulation goes on.
 * A buy the settle cash no longer covers is skipped, not sent; a bar with an order of
 * this strategy still open for the symbol does nothing.
 */
export class DcaAccumulation extends Strategy<DcaAccumulationParams> {
  static readonly id = 'dca';
  static readonly description =
    'Dollar-cost averaging: a fixed quote amount every N bars or on a timer, optional take-profit';
  static readonly paramsSchema = paramsSchema;

  private readonly barCount = new Map<string, number>();
  /**
   * Buys not sent. The first skip of a stretch is a warning, so a run whose every buy was skipped
   * (an amount in USDT on a BTC-quoted account of 1 BTC) does not end flat without a word; the
   * skips that follow are only debug lines until a buy goes through.
   */
  private readonly skips = new BuySkipWarnings(true);

  override onStart(): void {
    super.onStart();
    if (this.params.interval !== undefined) this.ctx.setTimer(TIMER, timeframeToMs(this.params.interval));
  }

  override onBar(bar: Bar): void {
    // Shadow/live warm-up history: its orders would only be denied, and counting its bars would
    // shift the schedule by the warm-up's length, so the first live bar would not be the first buy.
    if (this.ctx.isWarmingUp) return;
    const n = this.barCount.get(bar.symbol) ?? 0;
    this.barCount.set(bar.symbol, n + 1);
    if (this.ctx.openOrders(bar.symbol).length > 0) return;
    const tp = this.params.takeProfitPct;
    const pos = this.ctx.position(bar.symbol);
    if (
      tp !== undefined &&
      pos.isLong &&
      pos.avgPrice !== undefined &&
      bar.close >= pos.avgPrice * (1 + tp / 100)
    ) {
      this.ctx.sell(bar.symbol);
      return;
    }
    if (this.params.interval === undefined && n % this.params.everyBars === 0)
      this.buyAmount(bar.symbol, bar.close);
  }

  override onTimer(name: string, _ts: number): void {
    if (name !== TIMER) return;
    for (const symbol of this.ctx.symbols) {
      const price = this.ctx.lastPrice(symbol);
      if (price === undefined || this.ctx.openOrders(symbol).length > 0) continue;
      this.buyAmount(symbol, price);
    }
  }

  private buyAmount(symbol: string, price: number): void {
    if (!(price > 0)) return;
    const px = fromNumber(price);
    const qty = floorToStep(divTrunc(toFixed(this.params.amount), px), this.ctx.instrument(symbol).lotSize);
    const shortfall = buyShortfall(this.ctx, symbol, qty, px);
    if (shortfall !== undefined) {
      const quote = this.ctx.instrument(symbol).quote;
      this.skips.skipped(this.ctx, symbol, qty, shortfall, () => `for ${this.params.amount} ${quote}`);
      return;
    }
    this.skips.bought(symbol);
    this.ctx.buy(symbol, qty);
  }
}
