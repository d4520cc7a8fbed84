/**
 * Separate maker and taker rates in a backtest. runBacktest used to write `commission` into the
 * instruments and into the fill model's override alike, so one rate priced every fill: a
 * resting limit order paid what a market order paid. Now a maker fill pays `makerFee` and a
 * taker fill `takerFee` (each the commission unless given), and all-in sizing, a market buy,
 * divides the cash by the taker rate.
 */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { BacktestConfig } from '../../src/backtest/runBacktest.js';
import { runBacktest } from '../../src/backtest/runBacktest.js';
import { toFixed } from '../../src/core/Fixed.js';
import type { Bar } from '../../src/model/Bar.js';
import { seriesOfBars } from '../../src/model/BarSeries.js';
import { parseSizing } from '../../src/portfolio/Sizer.js';
import { Strategy } from '../../src/strategy/Strategy.js';

const SYM = 'MT/USDT';
const MIN = 60_000;
const bar = (i: number, o: number, h: number, l: number, c: number): Bar => ({
  symbol: SYM,
  timeframe: '1m',
  ts: i * MIN,
  open: o,
  high: h,
  low: l,
  close: c,
  volume: 1_000_000,
  closed: true,
});

const PARAMS = z.object({ limit: z.boolean().default(true) });

/**
 * On its first bar: a market buy sized by the run's sizing (taker) and, unless `limit` is
 * false, a limit buy of 1 at 90, resting below the market (maker when the price comes down to
 * it). On the fourth bar it sells everything at market.
 */
class MakerAndTaker extends Strategy<z.infer<typeof PARAMS>> {
  static readonly id = 'maker-and-taker';
  static readonly description = 'test strategy: one market buy, one resting limit buy, one market sell';
  static readonly paramsSchema = PARAMS;
  private bars = 0;
  override onBar(): void {
    this.bars += 1;
    if (this.bars === 1) {
      this.ctx.buy(SYM);
      if (this.params.limit) this.ctx.buy(SYM, 1, { type: 'LIMIT', price: 90 });
    } else if (this.bars === 4) {
      this.ctx.closePosition(SYM);
    }
  }
}

const series = seriesOfBars(SYM, '1m', [
  bar(0, 100, 100, 100, 100),
  bar(1, 100, 100, 100, 100),
  // Down through the limit at 90: it rests since bar 0, so it is a maker fill at 90.
  bar(2, 95, 95, 85, 92),
  bar(3, 105, 110, 104, 110),
  bar(4, 110, 110, 110, 110),
]);

const run = (over: Partial<BacktestConfig> = {}) =>
  runBacktest({
    series: [series],
    strategy: MakerAndTaker,
    params: {},
    initialCash: 10_000,
    commission: 0.001,
    fill: { fillAt: 'close' },
    // Half the equity: the other half pays for the limit buy.
    sizing: parseSizing('percent:50', toFixed('0.001')),
    seed: 1,
    ...over,
  });

describe('maker and taker fee rates in a backtest', () => {
  it('charges the maker rate on the resting limit fill and the taker rate on market fills', () => {
    const r = run({ makerFee: 0.0002, takerFee: 0.0007 });
    const [buy, limit, sell] = r.fills;
    expect(r.fills).toHaveLength(3);
    // The market buy at the close of bar 0, half the equity: floor(5000 / (100 × 1.0007)) in 0.001 steps.
    expect(buy).toMatchObject({ side: 'BUY', price: 100, quantity: 49.965 });
    expect(buy?.fee).toBeCloseTo(49.965 * 100 * 0.0007, 12);
    expect(limit).toMatchObject({ side: 'BUY', price: 90, quantity: 1 });
    expect(limit?.fee).toBeCloseTo(90 * 0.0002, 12);
    expect(sell).toMatchObject({ side: 'SELL', price: 110, quantity: 50.965 });
    expect(sell?.fee).toBeCloseTo(50.965 * 110 * 0.0007, 12);
    expect(r.report.feesPaid).toBeCloseTo(3.49755 + 0.018 + 3.924305, 9);
    expect(r.report).toMatchObject({ commission: 0.001, makerFee: 0.0002, takerFee: 0.0007 });
  });

  it('a side without its own rate keeps the commission', () => {
    const r = run({ makerFee: 0 });
    const [buy, limit, sell] = r.fills;
    expect(limit?.fee).toBe(0);
    expect(buy?.fee).toBeCloseTo((buy?.quantity ?? 0) * 100 * 0.001, 12);
    expect(sell?.fee).toBeCloseTo((sell?.quantity ?? 0) * 110 * 0.001, 12);
    expect(r.report).toMatchObject({ makerFee: 0, takerFee: 0.001 });
  });

  it('without the new rates the run is what it was: one commission on every fill', () => {
    const r = run();
    expect(r.fills.map((f) => f.fee / (f.quantity * f.price))).toEqual([
      expect.closeTo(0.001, 12),
      expect.closeTo(0.001, 12),
      expect.closeTo(0.001, 12),
    ]);
    // floor(5000 / 100.1) in 0.001 steps.
    expect(r.fills[0]?.quantity).toBe(49.95);
    expect(r.report).toMatchObject({ makerFee: 0.001, takerFee: 0.001, slippage: { kind: 'none' } });
  });

  it('sizes an all-in market buy on the taker rate, and the venue fills it', () => {
    const allIn = (over: Partial<BacktestConfig>) =>
      run({ params: { limit: false }, sizing: parseSizing('all-in', toFixed('0.001')), ...over });
    const r = allIn({ makerFee: 0, takerFee: 0.002 });
    // floor(10000 / (100 × 1.002)) = 99.800 in 0.001 steps; sized on the maker rate (or the
    // commission) it would ask for more cash than there is, and be refused.
    expect(r.fills[0]).toMatchObject({ side: 'BUY', price: 100, quantity: 99.8 });
    expect(r.fills[0]?.fee).toBeCloseTo(99.8 * 100 * 0.002, 12);
    expect(r.report.ordersTotal).toBe(2);
    expect(r.report.orders).toBe(2);
    // A cheaper taker rate buys more than the commission would.
    expect(allIn({ takerFee: 0 }).fills[0]?.quantity).toBe(100);
  });

  it('prices taker fills across half the quoted spread, or by the full bps', () => {
    const spread = run({ fill: { fillAt: 'close', slippage: { kind: 'spread', spreadBps: 20 } } });
    const bps = run({ fill: { fillAt: 'close', slippage: { kind: 'bps', bps: 20 } } });
    // Market buy at 100: +10 bps with a 20 bps spread, +20 bps with 20 bps of slippage.
    expect(spread.fills[0]?.price).toBe(100.1);
    expect(bps.fills[0]?.price).toBe(100.2);
    // The resting limit is a maker fill: no slippage either way.
    expect(spread.fills[1]?.price).toBe(90);
    expect(bps.fills[1]?.price).toBe(90);
    // Market sell at 110: 10 bps (0.11) lower against 20 bps (0.22).
    expect(spread.fills[2]?.price).toBe(109.89);
    expect(bps.fills[2]?.price).toBe(109.78);
    expect(spread.report.slippage).toEqual({ kind: 'spread', spreadBps: 20 });
    expect(bps.report.slippage).toEqual({ kind: 'bps', bps: 20 });
  });
});
