/**
 * The report of a backtest on an instrument that takes fees in the coin (Instrument.feeSide
 * 'get', 'base', 'give': Binance spot takes a buy's fee from the coins bought). The report used
 * to count only fees paid in the account currency (`feesPaid` 0 where every fee was in ETH),
 * and the round trips never closed: the coins a fee took were still counted as held, so every
 * wave of a long/flat strategy ran into one open trip, with 1 ETH of fee subtracted from its
 * pnl as if it were 1 USDT. Through the real backtest engine (risk, OMS, venue, exact ledger).
 */
import { describe, expect, it } from 'vitest';
import type { BacktestResult } from '../../src/backtest/runBacktest.js';
import { runBacktest } from '../../src/backtest/runBacktest.js';
import { renderHtmlReport } from '../../src/backtest/htmlReport.js';
import { toFixed, toNumber } from '../../src/core/Fixed.js';
import { seriesOfBars } from '../../src/model/BarSeries.js';
import type { FeeSide } from '../../src/model/Instrument.js';
import { parseSizing } from '../../src/portfolio/Sizer.js';
import { findStrategy } from '../../src/strategies/registry.js';
import { makeBars } from '../strategies/support/FakeContext.js';

const SYMBOL = 'ETH/USDT';
/** Four waves around a rising line: sma-cross (2/4) buys and sells once on each. */
const CLOSES = Array.from(
  { length: 60 },
  (_, i) => Math.round(100 + 10 * Math.sin((2 * Math.PI * i) / 12)) + i,
);

function run(feeSide: FeeSide): BacktestResult {
  return runBacktest({
    series: [seriesOfBars(SYMBOL, '1m', makeBars(CLOSES))],
    strategy: findStrategy('sma-cross'),
    params: { fast: 2, slow: 4 },
    initialCash: 1000,
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

/** Every fee of the run valued in USDT by hand: a fee in ETH at its fill's price. */
function feesByHand(r: BacktestResult): number {
  return r.fills.reduce((sum, f) => sum + (f.feeCurrency === 'ETH' ? f.fee * f.price : f.fee), 0);
}

describe.each(['get', 'base', 'give'] as const)(
  "a backtest whose fees are taken in the coin (feeSide '%s')",
  (feeSide) => {
    const r = run(feeSide);

    it('records the currency of each fill’s fee', () => {
      expect(new Set(r.fills.map((f) => f.feeCurrency))).toEqual(
        new Set(feeSide === 'base' ? ['ETH'] : ['ETH', 'USDT']),
      );
      expect(r.report.fills.map((f) => f.feeCurrency)).toEqual(r.fills.map((f) => f.feeCurrency));
    });

    it('reports every fee in USDT, a coin fee valued at its fill’s price', () => {
      expect(r.report.feesPaid).toBeCloseTo(feesByHand(r), 9);
      expect(r.report.feesPaid).toBe(toNumber(r.node.portfolio.ledger.feesInSettle('USDT')));
      expect(r.report.stats.feesPaid).toBe(r.report.feesPaid);
    });

    it('closes one round trip per wave, as the strategy traded them, each net of its fees in USDT', () => {
      const sells = r.fills.filter((f) => f.side === 'SELL');
      expect(sells).toHaveLength(4);
      expect(r.report.tradeList.map((t) => t.closed)).toEqual([true, true, true, true]);
      expect(r.report.trades).toBe(4);
      expect(r.report.openTrades).toBe(0);
      // The trips' fees are the run's fees, and their pnl adds up to the change of equity but for
      // the dust the last sell left (under a lot, valued at the last close, not that sell's price).
      const tripFees = r.report.tradeList.reduce((s, t) => s + t.fees, 0);
      expect(tripFees).toBeCloseTo(r.report.feesPaid, 9);
      const tripPnl = r.report.tradeList.reduce((s, t) => s + t.pnl, 0);
      expect(Math.abs(tripPnl - (r.report.finalEquity - 1000))).toBeLessThan(0.01);
      // Each trip: what its sells got less what its buys paid and its fees paid in USDT.
      for (const t of r.report.tradeList) {
        const own = r.fills.filter((f) => f.ts >= t.entryTs && f.ts <= t.exitTs);
        const cash = own.reduce((s, f) => s + (f.side === 'SELL' ? 1 : -1) * f.quantity * f.price, 0);
        const cashFees = own.reduce((s, f) => s + (f.feeCurrency === 'USDT' ? f.fee : 0), 0);
        expect(Math.abs(t.pnl - (cash - cashFees))).toBeLessThan(0.05);
      }
    });

    it('shows the same fees in the HTML report and its trade list', () => {
      const html = renderHtmlReport(r.report);
      expect(html).toContain(`<th scope="row">Fees paid</th><td>${r.report.feesPaid.toFixed(2)} USDT</td>`);
      expect(html.match(/open \(marked\)/g)).toBeNull();
    });
  },
);

describe("a backtest whose fees are in the quote currency (feeSide 'quote')", () => {
  it('reports the same fees and trips as the settle-currency ledger line', () => {
    const r = run('quote');
    expect(r.report.feesPaid).toBe(toNumber(r.node.portfolio.ledger.feesPaid('USDT')));
    expect(r.report.tradeList).toHaveLength(4);
    const tripPnl = r.report.tradeList.reduce((s, t) => s + t.pnl, 0);
    expect(tripPnl).toBeCloseTo(r.report.finalEquity - 1000, 9);
  });
});
