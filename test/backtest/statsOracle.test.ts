/**
 * The report's statistics of a real run, recomputed here from scratch: the equity curve rebuilt
 * from the fills and the closes (cash and shares, nothing of the engine), and every figure by
 * its textbook formula written out plainly. ORCL daily with sma-cross, the README's example.
 */
import { describe, expect, it } from 'vitest';
import { runBacktest } from '../../src/backtest/runBacktest.js';
import { loadBarSeries } from '../../src/data/loadBarSeries.js';
import { OrderSide } from '../../src/model/enums.js';
import { HAS_SHARED_DATA, sharedFile } from '../support/sharedData.js';
import { smaCrossConfig } from './support/smaCrossConfig.js';

const DAY = 86_400_000;
const YEAR = 365.25 * DAY;

function expectClose(actual: number | null, expected: number, what: string): void {
  expect(actual, what).not.toBeNull();
  expect(Math.abs(actual! - expected), `${what}: ${actual} vs ${expected}`).toBeLessThanOrEqual(
    1e-9 * Math.max(1, Math.abs(expected)),
  );
}

const sum = (xs: readonly number[]): number => xs.reduce((a, x) => a + x, 0);

describe.skipIf(!HAS_SHARED_DATA)('statistics against an independent computation (ORCL, sma-cross)', () => {
  const { series } = loadBarSeries(sharedFile('stocks-daily/orcl-1995-2014.txt'));
  const cash0 = 100_000;
  const r = runBacktest(smaCrossConfig([series], { params: { fast: 10, slow: 30 }, initialCash: cash0 }));
  const rep = r.report;

  // Equity after each bar: cash plus shares at the close, the bar's fills applied first.
  const eq: number[] = [];
  const held: boolean[] = [];
  let cash = cash0;
  let shares = 0;
  let k = 0;
  for (let i = 0; i < series.length; i++) {
    for (; k < r.fills.length && r.fills[k]!.barIndex === i; k++) {
      const f = r.fills[k]!;
      const sign = f.side === OrderSide.BUY ? 1 : -1;
      cash -= sign * f.quantity * f.price + f.fee;
      shares += sign * f.quantity;
    }
    eq.push(cash + shares * series.close[i]!);
    held.push(shares !== 0);
  }
  const ts = Array.from(series.ts);
  const n = eq.length;

  it('rebuilds the same curve: every fill used, the same final equity', () => {
    expect(k).toBe(r.fills.length);
    expect(r.fills.length).toBeGreaterThan(150);
    expectClose(eq[n - 1]!, rep.finalEquity, 'final equity');
    expect(rep.bars).toBe(n);
  });

  it('annualizes with about 252 periods a year, counted from the bars', () => {
    const ppy = (n - 1) / ((ts[n - 1]! - ts[0]!) / YEAR);
    expectClose(rep.periodsPerYear, ppy, 'periodsPerYear');
    // Weekday trading days less holidays: not 365, not 260.
    expect(rep.periodsPerYear!).toBeGreaterThan(250);
    expect(rep.periodsPerYear!).toBeLessThan(254);
  });

  it('matches return, CAGR, volatility, Sharpe, Sortino and Calmar', () => {
    const years = (ts[n - 1]! - ts[0]!) / YEAR;
    const ppy = (n - 1) / years;
    const rets = eq.slice(1).map((e, i) => e / eq[i]! - 1);
    const mean = sum(rets) / rets.length;
    const sd = Math.sqrt(sum(rets.map((x) => (x - mean) ** 2)) / (rets.length - 1));
    // Downside deviation: target 0, squared losses over every period (not only the losing ones).
    const downside = Math.sqrt(sum(rets.map((x) => Math.min(0, x) ** 2)) / rets.length);
    const cagr = (eq[n - 1]! / cash0) ** (1 / years) - 1;
    expectClose(rep.totalReturn, eq[n - 1]! / cash0 - 1, 'totalReturn');
    expectClose(rep.cagr, cagr, 'cagr');
    expectClose(rep.volatility, sd * Math.sqrt(ppy), 'volatility');
    expectClose(rep.sharpe, (mean / sd) * Math.sqrt(ppy), 'sharpe');
    expectClose(rep.sortino, (mean / downside) * Math.sqrt(ppy), 'sortino');
    expectClose(rep.calmar, cagr / rep.maxDrawdown, 'calmar');
  });

  it('matches the max drawdown and its duration in bars and in time', () => {
    let peak = 0;
    let mdd = 0;
    let longestBars = 0;
    let longestMs = 0;
    for (let i = 0; i < n; i++) {
      if (eq[i]! >= eq[peak]!) peak = i;
      mdd = Math.max(mdd, 1 - eq[i]! / eq[peak]!);
      // Under water from the peak to the first bar back at or above it (or to the last bar).
      const back = eq.findIndex((e, j) => j > i && e >= eq[i]!);
      if (peak === i && back !== i + 1) {
        const end = back < 0 ? n - 1 : back;
        longestBars = Math.max(longestBars, end - i);
        longestMs = Math.max(longestMs, ts[end]! - ts[i]!);
      }
    }
    expectClose(rep.maxDrawdown, mdd, 'maxDrawdown');
    expect(rep.maxDrawdownDurationBars).toBe(longestBars);
    expect(rep.maxDrawdownDurationMs).toBe(longestMs);
  });

  it('matches the trade statistics, exposure and fees', () => {
    // sma-cross is long/flat: fills pair up buy, sell; an odd last buy is the open trip.
    const pnls: number[] = [];
    const bars: number[] = [];
    for (let i = 0; i + 1 < r.fills.length; i += 2) {
      const [b, s] = [r.fills[i]!, r.fills[i + 1]!];
      expect([b.side, s.side]).toEqual([OrderSide.BUY, OrderSide.SELL]);
      pnls.push(s.quantity * s.price - b.quantity * b.price - b.fee - s.fee);
      bars.push(s.barIndex - b.barIndex);
    }
    const wins = pnls.filter((p) => p > 0);
    const losses = pnls.filter((p) => p < 0);
    expect(rep.trades).toBe(pnls.length);
    expect(rep.openTrades).toBe(r.fills.length % 2);
    expectClose(rep.winRate, wins.length / pnls.length, 'winRate');
    expectClose(rep.profitFactor, sum(wins) / -sum(losses), 'profitFactor');
    expectClose(rep.expectancy, sum(pnls) / pnls.length, 'expectancy');
    expectClose(rep.bestTrade, Math.max(...pnls), 'bestTrade');
    expectClose(rep.worstTrade, Math.min(...pnls), 'worstTrade');
    expectClose(rep.avgBarsHeld, sum(bars) / bars.length, 'avgBarsHeld');
    expectClose(rep.exposure, held.filter(Boolean).length / n, 'exposure');
    expectClose(rep.feesPaid, sum(r.fills.map((f) => f.fee)), 'feesPaid');
  });
});
