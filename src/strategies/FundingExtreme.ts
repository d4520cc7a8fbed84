import { z } from 'zod';
import { floorToStep, fromNumber, toNumber } from '../core/Fixed.js';
import type { Bar } from '../model/Bar.js';
import type { FundingSettled } from '../model/futuresEvents.js';
import { Strategy } from '../strategy/Strategy.js';

const paramsSchema = z
  .object({
    shortAbove: z.number().min(0).max(0.01).default(0.00015).meta({
      step: 0.00005,
      description: 'go short after a funding settlement at or above this rate (longs crowded)',
    }),
    longBelow: z.number().min(-0.01).max(0.001).default(-0.00005).meta({
      step: 0.00005,
      description: 'go long after a settlement at or below this rate (shorts crowded)',
    }),
    holdBars: z
      .number()
      .int()
      .min(1)
      .max(10_000)
      .default(48)
      .meta({ step: 12, description: 'close the position after this many bars' }),
    size: z
      .number()
      .min(0.01)
      .max(1)
      .default(0.5)
      .meta({ step: 0.05, description: 'position notional as a fraction of equity' }),
  })
  .refine((p) => p.longBelow < p.shortAbove, {
    message: 'longBelow must be below shortAbove',
    path: ['longBelow'],
  });

export type FundingExtremeParams = z.infer<typeof paramsSchema>;

/**
 * Funding-rate extremes on perpetuals, contrarian: a funding rate far above its usual
 * level means longs pay heavily to stay in — a crowded side that tends to unwind — so a
 * settlement at or above `shortAbove` opens a short (which also receives the funding);
 * one at or below `longBelow` opens a long. The position is closed after `holdBars` bars,
 * or turned when an opposite extreme settles. Needs a venue that settles funding
 * (onFunding); on spot instruments it never trades, as spot cannot short and pays no funding.
 */
export class FundingExtreme extends Strategy<FundingExtremeParams> {
  static readonly id = 'funding-extreme';
  static readonly description =
    'Funding-rate extreme: fade the crowded side after an extreme funding settlement (perpetuals)';
  static readonly paramsSchema = paramsSchema;

  /** Per symbol: the side wanted after the last extreme and bars left to hold it. */
  private readonly wanted = new Map<string, { side: 'BUY' | 'SELL'; barsLeft: number }>();

  override onFunding(event: FundingSettled): void {
    if (this.ctx.instrument(event.symbol).kind !== 'PERPETUAL') return;
    const rate = toNumber(event.rate);
    const side = rate >= this.params.shortAbove ? 'SELL' : rate <= this.params.longBelow ? 'BUY' : undefined;
    if (side !== undefined) this.wanted.set(event.symbol, { side, barsLeft: this.params.holdBars });
  }

  override onBar(bar: Bar): void {
    const w = this.wanted.get(bar.symbol);
    if (this.ctx.openOrders(bar.symbol).length > 0) return;
    const pos = this.ctx.position(bar.symbol);
    if (w === undefined) {
      if (!pos.isFlat) this.ctx.closePosition(bar.symbol);
      return;
    }
    w.barsLeft -= 1;
    if (w.barsLeft < 0) {
      this.wanted.delete(bar.symbol);
      if (!pos.isFlat) this.ctx.closePosition(bar.symbol);
      return;
    }
    const wrongWay = (w.side === 'BUY' && pos.isShort) || (w.side === 'SELL' && pos.isLong);
    if (wrongWay) {
      this.ctx.closePosition(bar.symbol);
      return;
    }
    if (!pos.isFlat) return;
    const inst = this.ctx.instrument(bar.symbol);
    const qty = floorToStep(
      fromNumber((this.params.size * this.ctx.portfolio.equity()) / bar.close),
      inst.lotSize,
    );
    if (qty <= 0n) return;
    if (w.side === 'BUY') this.ctx.buy(bar.symbol, qty);
    else this.ctx.sell(bar.symbol, qty);
  }
}
