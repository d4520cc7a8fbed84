import { describe, expect, it } from 'vitest';
import { runBacktest } from '../../src/backtest/runBacktest.js';
import { fromNumber, mul, toFixed, toNumber } from '../../src/core/Fixed.js';
import { loadBarSeries } from '../../src/data/loadBarSeries.js';
import { HAS_SHARED_DATA, sharedFile } from '../support/sharedData.js';
import { smaCrossConfig } from './support/smaCrossConfig.js';

const DAY = 86_400_000;

/**
 * All-in sizing with slippage: the venue fills a market buy above the close, so a buy sized on
 * the bare close asks more cash than there is and was rejected on every signal (ORCL, 5 bps:
 * "0 of 98 filled"). The sizer now divides the cash by the price the venue will charge.
 */
describe.skipIf(!HAS_SHARED_DATA)('all-in sizing with slippage', () => {
  const { series } = loadBarSeries(sharedFile('stocks-daily/orcl-1995-2014.txt'));
  /** The close of the bar a fill at the close was made on (a fill is stamped at the bar's end). */
  const closeAt = (ts: number): number => series.close[series.ts.indexOf(ts - DAY)] as number;
  const run = (bps: number) =>
    runBacktest(
      smaCrossConfig([series], {
        params: { fast: 10, slow: 30 },
        initialCash: 100_000,
        fill: { fillAt: 'close', slippage: { kind: 'bps', bps } },
      }),
    );

  it('fills every order, each buy spending at most the cash at the slipped price with its fee', () => {
    const r = run(5);
    expect(r.report.ordersTotal).toBeGreaterThan(150);
    expect(r.report.orders).toBe(r.report.ordersTotal);
    const buys = r.fills.filter((f) => f.side === 'BUY');
    expect(buys.length).toBeGreaterThan(75);
    for (const b of buys) {
      const close = closeAt(b.ts);
      // The fill is the close moved up 5 bps, on the tick above.
      expect(b.price).toBeGreaterThan(close);
      expect(b.price).toBeLessThanOrEqual(close * 1.0005 + 0.01 + 1e-9);
    }
  });

  it('buys as much as the cash covers at that price: one lot more would not fit', () => {
    const r = run(5);
    const first = r.fills.find((f) => f.side === 'BUY');
    expect(first).toBeDefined();
    const { price, quantity } = first as { price: number; quantity: number };
    const cost = (q: number) => toNumber(mul(mul(fromNumber(q), fromNumber(price)), toFixed('1.001')));
    expect(cost(quantity)).toBeLessThanOrEqual(100_000);
    expect(cost(quantity + 0.001)).toBeGreaterThan(100_000);
  });

  it('sizes on the bare close without slippage (the backtrader-parity run is unchanged)', () => {
    const r = run(0);
    const first = r.fills.find((f) => f.side === 'BUY') as { price: number; ts: number };
    expect(first.price).toBe(closeAt(first.ts));
  });
});
