/**
 * Selling "the whole position" where the exchange takes a sell's fee in the base coin (ccxt
 * feeSide 'base', or 'give': the seller gives the coin). The venue then needs the quantity plus
 * its fee in coins, so a sell of every coin held was refused for want of coins, on every exit
 * of every long/flat strategy (followLongFlat → ctx.sell(symbol)) and on dca's take-profit. The
 * sell now asks for what is held less the fee, floored to the lot (sellableWithFee); the rest
 * stays as dust. Through the real backtest engine (risk, OMS, simulated venue, exact ledger).
 */
import { describe, expect, it } from 'vitest';
import type { BacktestResult } from '../../src/backtest/runBacktest.js';
import { runBacktest } from '../../src/backtest/runBacktest.js';
import { formatFixed, toFixed } from '../../src/core/Fixed.js';
import { seriesOfBars } from '../../src/model/BarSeries.js';
import type { FeeSide } from '../../src/model/Instrument.js';
import { parseSizing } from '../../src/portfolio/Sizer.js';
import { findStrategy } from '../../src/strategies/registry.js';
import { makeBars } from './support/FakeContext.js';

const SYMBOL = 'ETH/USDT';
/** Five waves of 12 bars around 100: sma-cross (2/4) buys and sells on each. */
const WAVES = Array.from({ length: 60 }, (_, i) => Math.round(100 + 10 * Math.sin((2 * Math.PI * i) / 12)));

function run(
  strategy: string,
  params: Readonly<Record<string, unknown>>,
  feeSide: FeeSide,
  closes: readonly number[],
): BacktestResult {
  return runBacktest({
    series: [seriesOfBars(SYMBOL, '1m', makeBars(closes))],
    strategy: findStrategy(strategy),
    params,
    initialCash: 1000,
    // 0.1 % fees, lots of 0.0001 ETH, fees booked to 1e-8 (Binance's commission precision).
    instruments: [
      {
        symbol: SYMBOL,
        lotSize: '0.0001',
        makerFee: '0.001',
        takerFee: '0.001',
        feeSide,
        feeStep: '0.00000001',
      },
    ],
    sizing: parseSizing('percent:50', toFixed('0.0001')),
  });
}

/** The trade log's lines without time and ids: side, quantity, price, fee, fee currency. */
const trades = (r: BacktestResult): string[] =>
  r.tradeLog
    .trim()
    .split('\n')
    .map((l) => l.split(',').slice(4).join(' '));
const sells = (r: BacktestResult): string[] => trades(r).filter((t) => t.startsWith('SELL'));
const held = (r: BacktestResult): string => formatFixed(r.node.portfolio.positionQty(SYMBOL));

describe('long/flat exits (ctx.sell of the whole position) when the sell pays its fee in the base coin', () => {
  it("feeSide 'base': every exit fills, selling what is held less the sell's fee", () => {
    const r = run('sma-cross', { fast: 2, slow: 4 }, 'base', WAVES);
    // First round: buy 5.2631, its fee 0.0052631 ETH taken from it → 5.2578369 held; the sell
    // asks 5.2578369 / 1.001 = 5.25258..., floored to the lot: 5.2525 (+ fee 0.0052525 ≤ held).
    expect(trades(r).slice(0, 2)).toEqual(['BUY 5.2631 100 0.0052631 ETH', 'SELL 5.2525 100 0.0052525 ETH']);
    expect(sells(r)).toHaveLength(4);
    expect(r.node.oms.orderCounts()).toMatchObject({ filled: 8, rejected: 0, denied: 0 });
    // What is left is dust under a lot: the strategy saw itself flat and bought again each wave.
    expect(held(r)).toBe('0.0000036');
  });

  it("feeSide 'give': the buy pays in quote, the sell in the coin given; every exit fills", () => {
    const r = run('sma-cross', { fast: 2, slow: 4 }, 'give', WAVES);
    // Buy 5.2578 (fee in USDT) → sell 5.2578 / 1.001 floored = 5.2525, fee 0.0052525 ETH.
    expect(trades(r).slice(0, 2)).toEqual(['BUY 5.2578 100 0.52578 USDT', 'SELL 5.2525 100 0.0052525 ETH']);
    expect(sells(r)).toHaveLength(4);
    expect(r.node.oms.orderCounts()).toMatchObject({ filled: 8, rejected: 0, denied: 0 });
    expect(held(r)).toBe('0.0000228');
  });

  it("feeSide 'quote' and 'get' sell everything held, as before", () => {
    const quote = run('sma-cross', { fast: 2, slow: 4 }, 'quote', WAVES);
    expect(sells(quote)).toEqual([
      'SELL 5.2578 100 0.52578 USDT',
      'SELL 5.2523 100 0.52523 USDT',
      'SELL 5.2468 100 0.52468 USDT',
      'SELL 5.2413 100 0.52413 USDT',
    ]);
    expect(held(quote)).toBe('0');
    // 'get': the buy's fee comes out of the coins (5.2631 → 5.2578369), the sell's in USDT: all
    // of the coins held, floored to the lot.
    const get = run('sma-cross', { fast: 2, slow: 4 }, 'get', WAVES);
    expect(trades(get).slice(0, 2)).toEqual(['BUY 5.2631 100 0.0052631 ETH', 'SELL 5.2578 100 0.52578 USDT']);
    expect(sells(get)).toHaveLength(4);
    expect(get.node.oms.orderCounts()).toMatchObject({ filled: 8, rejected: 0, denied: 0 });
    expect(held(get)).toBe('0.0000808');
  });
});

describe("dca's take-profit (a sell of the whole position) when the sell pays its fee in the base coin", () => {
  // Buys of 100 USDT fill at the next opens (101, 102, 110); the close of 110 is 5 % above
  // the average entry, and the take-profit sells at the next open.
  const RISE = [100, 101, 102, 110, 110];

  it("feeSide 'base': the take-profit fills, less the sell's fee", () => {
    const r = run('dca', { amount: 100, takeProfitPct: 5 }, 'base', RISE);
    // 2.9703 bought, 0.0029703 of it paid in fees: 2.9673297 held; / 1.001 floored = 2.9643.
    expect(sells(r)).toEqual(['SELL 2.9643 110 0.0029643 ETH']);
    expect(r.node.oms.orderCounts()).toMatchObject({ filled: 4, rejected: 0, denied: 0 });
    expect(held(r)).toBe('0.0000654');
  });

  it("feeSide 'quote': the take-profit sells everything held, as before", () => {
    const r = run('dca', { amount: 100, takeProfitPct: 5 }, 'quote', RISE);
    expect(sells(r)).toEqual(['SELL 2.9703 110 0.326733 USDT']);
    expect(held(r)).toBe('0');
  });
});
