/**
 * A trip still open when the data ends is marked at the last close, at the time that close is
 * known (the end of the last bar), as fills of that bar are stamped: a trip closed by a fill on
 * the last bar and one marked there end at the same time.
 */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { runBacktest } from '../../src/backtest/runBacktest.js';
import { toFixed } from '../../src/core/Fixed.js';
import type { Bar } from '../../src/model/Bar.js';
import { seriesOfBars } from '../../src/model/BarSeries.js';
import { parseSizing } from '../../src/portfolio/Sizer.js';
import { Strategy } from '../../src/strategy/Strategy.js';

const SYM = 'MK/USDT';
const MIN = 60_000;
const BARS = 5;
const bar = (i: number): Bar => ({
  symbol: SYM,
  timeframe: '1m',
  ts: i * MIN,
  open: 100 + i,
  high: 100 + i,
  low: 100 + i,
  close: 100 + i,
  volume: 1_000,
  closed: true,
});

/** Buys on the first bar; sells on the last one when `sellLast`, else holds to the end. */
class BuyAndMaybeSell extends Strategy<{ sellLast: boolean }> {
  static readonly id = 'buy-and-maybe-sell';
  static readonly description = 'test strategy: one buy, a sell on the last bar or none';
  static readonly paramsSchema = z.object({ sellLast: z.boolean() });
  private bars = 0;
  override onBar(): void {
    this.bars += 1;
    if (this.bars === 1) this.ctx.buy(SYM, 1);
    else if (this.bars === BARS && this.params.sellLast) this.ctx.sell(SYM, 1);
  }
}

function lastTrip(sellLast: boolean): {
  closed: boolean;
  exitTs: number;
  barsHeld: number;
  exitPrice: number;
} {
  const r = runBacktest({
    series: [
      seriesOfBars(
        SYM,
        '1m',
        Array.from({ length: BARS }, (_, i) => bar(i)),
      ),
    ],
    strategy: BuyAndMaybeSell,
    params: { sellLast },
    initialCash: 10_000,
    commission: 0,
    fill: { fillAt: 'close' },
    sizing: parseSizing('fixed:1', toFixed(1)),
  });
  expect(r.report.tradeList).toHaveLength(1);
  return r.report.tradeList[0]!;
}

describe('a trip still open when the data ends', () => {
  it('ends when the last bar does, as one closed by a fill on that bar', () => {
    const sold = lastTrip(true);
    const held = lastTrip(false);
    expect(sold.closed).toBe(true);
    expect(held.closed).toBe(false);
    // The last bar opens at 4 min and closes (its fills are stamped) at 5 min.
    expect(sold.exitTs).toBe(BARS * MIN);
    expect(held.exitTs).toBe(sold.exitTs);
    expect(held.exitPrice).toBe(sold.exitPrice);
    expect(held.barsHeld).toBe(sold.barsHeld);
  });
});
