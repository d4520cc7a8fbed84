/**
 * What the report's order counts mean. `orders` is the count of filled orders: orders filled in
 * full. Its doc comment said "at least partly" filled; an order that filled in part and was then
 * canceled is not in it, but among the canceled ones (ordersTotal − orders − ordersDenied −
 * ordersOpen), its fills in `fills`.
 */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { runBacktest } from '../../src/backtest/runBacktest.js';
import { toFixed } from '../../src/core/Fixed.js';
import type { Bar } from '../../src/model/Bar.js';
import { seriesOfBars } from '../../src/model/BarSeries.js';
import { parseSizing } from '../../src/portfolio/Sizer.js';
import { Strategy } from '../../src/strategy/Strategy.js';

const SYM = 'PO/USDT';
const MIN = 60_000;
const bar = (i: number): Bar => ({
  symbol: SYM,
  timeframe: '1m',
  ts: i * MIN,
  open: 100,
  high: 100,
  low: 100,
  close: 100,
  volume: 4,
  closed: true,
});

/**
 * Bar 1: a buy of 1 (fills whole) and a limit buy of 10 at 100; bar `cancelAt` (0: never)
 * cancels what is left.
 */
class PartlyThenCanceled extends Strategy<{ cancelAt: number }> {
  static readonly id = 'partly-then-canceled';
  static readonly description = 'test strategy: one whole fill, one order filled in part then canceled';
  static readonly paramsSchema = z.object({ cancelAt: z.number().int().default(4) });
  private bars = 0;
  override onBar(): void {
    this.bars += 1;
    if (this.bars === 1) {
      this.ctx.buy(SYM, 1);
      this.ctx.buy(SYM, 10, { type: 'LIMIT', price: 100 });
    } else if (this.bars === this.params.cancelAt) {
      this.ctx.cancelAll(SYM);
    }
  }
}

function run(cancelAt: number): ReturnType<typeof runBacktest> {
  return runBacktest({
    series: [
      seriesOfBars(
        SYM,
        '1m',
        Array.from({ length: 6 }, (_, i) => bar(i)),
      ),
    ],
    strategy: PartlyThenCanceled,
    params: { cancelAt },
    initialCash: 10_000,
    commission: 0,
    // A quarter of each bar's volume (4): 1 unit a bar.
    fill: { volumeShare: 0.25 },
    sizing: parseSizing('fixed:1', toFixed(1)),
  });
}

describe('the report’s order counts', () => {
  it('counts in `orders` the orders filled in full, not one filled in part and then canceled', () => {
    const r = run(4);
    const limitFills = r.fills.filter((f) => f.orderId !== r.fills[0]?.orderId);
    // The limit order filled in part (some units, fewer than 10) before it was canceled.
    expect(limitFills.length).toBeGreaterThan(0);
    const limitQty = limitFills.reduce((s, f) => s + f.quantity, 0);
    expect(limitQty).toBeGreaterThan(0);
    expect(limitQty).toBeLessThan(10);
    expect(new Set(r.fills.map((f) => f.orderId)).size).toBe(2);
    expect(r.report.ordersTotal).toBe(2);
    expect(r.report.orders).toBe(1);
    expect(r.report.ordersDenied).toBe(0);
    expect(r.report.ordersOpen).toBe(0);
    expect(r.node.oms.orderCounts()).toMatchObject({ filled: 1, canceled: 1 });
    expect(r.report.ordersPartlyFilled).toBe(1);
    expect(r.report.ordersOpenPartlyFilled).toBe(0);
  });

  it('tells an order still open in part filled when the data ends from one that ended so', () => {
    const r = run(0);
    expect(r.fills.length).toBeGreaterThan(1);
    expect(r.report.orders).toBe(1);
    expect(r.report.ordersOpen).toBe(1);
    expect(r.report.ordersPartlyFilled).toBe(0);
    expect(r.report.ordersOpenPartlyFilled).toBe(1);
  });
});
