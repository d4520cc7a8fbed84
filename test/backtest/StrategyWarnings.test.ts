import { describe, expect, it } from 'vitest';
import { runBacktest } from '../../src/backtest/runBacktest.js';
import { toFixed } from '../../src/core/Fixed.js';
import { randomWalkSeries } from '../../src/data/syntheticSeries.js';
import { parseSizing } from '../../src/portfolio/Sizer.js';
import { DcaAccumulation } from '../../src/strategies/DcaAccumulation.js';
import { smaCrossConfig } from './support/smaCrossConfig.js';

/** ETH priced in BTC around 0.1, as a BTC-quoted account trades it. */
const ETH_BTC = randomWalkSeries({
  symbol: 'ETH/BTC',
  timeframe: '1h',
  length: 120,
  seed: 7,
  startPrice: 0.1,
});

describe('a backtest says when none of a strategy’s orders got through', () => {
  it('every order denied by risk (a cash too small for one lot): one warning naming codes and the first reason', () => {
    const r = runBacktest(
      smaCrossConfig([ETH_BTC], { initialCash: 0.05, sizing: parseSizing('all-in', toFixed(1)) }),
    );
    expect(r.report.ordersTotal).toBeGreaterThan(0);
    expect(r.report.orders).toBe(0);
    const denied = r.report.ordersDenied;
    expect(r.report.warnings).toEqual([
      expect.stringMatching(
        new RegExp(
          `^sma-cross: none of its orders filled, all ${denied} were refused \\(ERR_RISK_QUANTITY ×${denied}\\); ` +
            'the first: ETH/BTC denied by risk at \\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z: quantity must be > 0',
        ),
      ),
    ]);
  });

  it('says nothing of refusals once an order of the strategy filled', () => {
    const r = runBacktest(
      smaCrossConfig([ETH_BTC], { initialCash: 10, sizing: parseSizing('all-in', toFixed(1)) }),
    );
    expect(r.report.orders).toBeGreaterThan(0);
    expect(r.report.warnings).toEqual([]);
  });

  it('dca with an amount the BTC-quoted cash cannot pay warns at its first skipped buy', () => {
    const r = runBacktest({
      series: [ETH_BTC],
      strategy: DcaAccumulation,
      params: { amount: 100 },
      initialCash: 1,
      commission: 0.001,
      sizing: parseSizing('all-in', toFixed('0.001')),
      seed: 1,
    });
    expect(r.report.ordersTotal).toBe(0);
    // Said at the close of the first bar, when the strategy decided.
    expect(r.report.warnings).toEqual([
      `dca at ${new Date(ETH_BTC.ts[0]! + 3_600_000).toISOString()}: buy of ETH/BTC for 100 BTC skipped: it costs more than the 1 BTC available (fees on top); the next skips are not repeated until a buy goes through`,
    ]);
  });
});
