import { describe, it, expect } from 'vitest';
import { YEAR_MS, computeStats } from '../../src/backtest/stats.js';
import type { BacktestStats } from '../../src/backtest/stats.js';
import type { EquityCurve, RoundTrip } from '../../src/backtest/types.js';
import { OrderSide } from '../../src/model/enums.js';

function curveOf(ts: number[], equity: number[]): EquityCurve {
  return { ts: Float64Array.from(ts), equity: Float64Array.from(equity) };
}

function trip(pnl: number, barsHeld: number, closed = true): RoundTrip {
  return {
    symbol: 'BTC/USDT',
    strategyId: 's',
    side: OrderSide.BUY,
    entryTs: 0,
    exitTs: 1,
    entryPrice: 100,
    exitPrice: 100,
    quantity: 1,
    pnl,
    fees: 0,
    returnPct: pnl / 100,
    barsHeld,
    closed,
  };
}

function expectAllFiniteOrNull(s: BacktestStats): void {
  for (const [k, v] of Object.entries(s)) {
    expect(v === null || (typeof v === 'number' && Number.isFinite(v)), k).toBe(true);
  }
}

describe('computeStats on a hand-computed series', () => {
  // Six points a quarter-year apart: span 5/4 years, so periodsPerYear = 5 / 1.25 = 4.
  const Q = YEAR_MS / 4;
  const equity = [100, 110, 99, 104.5, 121, 110];
  const ts = equity.map((_, i) => i * Q);
  const stats = computeStats({
    curve: curveOf(ts, equity),
    // Closed pnls 10, −5, 20, −5 (held 2, 4, 6, 8 bars) and one open trip that must be ignored.
    trips: [trip(10, 2), trip(-5, 4), trip(20, 6), trip(-5, 8), trip(100, 1, false)],
    initialEquity: 100,
    feesPaid: 3.5,
    barsInMarket: 3,
  });

  it('measures return, CAGR and annualization', () => {
    expect(stats.bars).toBe(6);
    expect(stats.startTs).toBe(0);
    expect(stats.endTs).toBe(5 * Q);
    expect(stats.periodsPerYear).toBeCloseTo(4, 12);
    // 110 / 100 − 1.
    expect(stats.totalReturn).toBeCloseTo(0.1, 12);
    // 1.1^(1 / 1.25) − 1 = 1.1^0.8 − 1 = 0.0792303452988...
    expect(stats.cagr).toBeCloseTo(0.07923034529889, 10);
  });

  it('measures max drawdown and its duration', () => {
    // Peak 110 (i=1) → trough 99 (i=2): 11 / 110 = 10 %. Recovered at 121 (i=4): 3 bars, 3 quarters.
    // Then 121 → 110 (9.09 %) unrecovered for 1 bar: shorter.
    expect(stats.maxDrawdown).toBeCloseTo(0.1, 12);
    expect(stats.maxDrawdownDurationBars).toBe(3);
    expect(stats.maxDrawdownDurationMs).toBeCloseTo(3 * Q, 3);
    // Calmar = 0.0792303 / 0.1.
    expect(stats.calmar).toBeCloseTo(0.7923034529889, 9);
  });

  it('measures volatility, Sharpe and Sortino from per-bar returns', () => {
    // Returns 1/10, −1/10, 1/18, 3/19, −1/11 → mean 0.0245082403, sample stdev 0.1154105295.
    // Volatility = stdev × √4 = 0.2308210590. Sharpe = mean / stdev × 2 = 0.4247141124.
    // Downside deviation over all 5 periods: √((0.01 + 0.0082645) / 5) = 0.0604391641;
    // Sortino = mean / 0.0604391641 × 2 = 0.8110052694.
    expect(stats.volatility).toBeCloseTo(0.230821058989, 10);
    expect(stats.sharpe).toBeCloseTo(0.424714112395, 10);
    expect(stats.sortino).toBeCloseTo(0.811005269391, 10);
  });

  it('computes trade statistics over closed trips only', () => {
    expect(stats.trades).toBe(4);
    expect(stats.openTrades).toBe(1);
    expect(stats.winRate).toBe(0.5);
    // Gross win 30 ÷ gross loss 10.
    expect(stats.profitFactor).toBe(3);
    // (10 − 5 + 20 − 5) / 4.
    expect(stats.expectancy).toBe(5);
    expect(stats.bestTrade).toBe(20);
    expect(stats.worstTrade).toBe(-5);
    expect(stats.avgBarsHeld).toBe(5);
    expect(stats.exposure).toBe(0.5);
    expect(stats.feesPaid).toBe(3.5);
  });

  it('lowers Sharpe with a positive risk-free rate', () => {
    const withRf = computeStats({
      curve: curveOf(ts, equity),
      trips: [],
      initialEquity: 100,
      feesPaid: 0,
      barsInMarket: 0,
      riskFreeRate: 0.04,
    });
    // Per-bar rf = 1.04^(1/4) − 1 = 0.0098534; (0.0245082 − 0.0098534) / 0.1154105 × 2.
    expect(withRf.sharpe).toBeCloseTo(0.25396008, 7);
  });
});

describe('computeStats edge cases', () => {
  it('runs an unrecovered drawdown to the last bar', () => {
    // Peak 120 at i=1, then 90 (25 %) and 95: underwater for 2 bars until the end.
    const s = computeStats({
      curve: curveOf([0, 10, 20, 30], [100, 120, 90, 95]),
      trips: [],
      initialEquity: 100,
      feesPaid: 0,
      barsInMarket: 0,
    });
    expect(s.maxDrawdown).toBeCloseTo(0.25, 12);
    expect(s.maxDrawdownDurationBars).toBe(2);
    expect(s.maxDrawdownDurationMs).toBe(20);
  });

  it('returns zeros and nulls, never NaN, for an empty or single-bar curve', () => {
    for (const curve of [curveOf([], []), curveOf([5], [100])]) {
      const s = computeStats({ curve, trips: [], initialEquity: 100, feesPaid: 0, barsInMarket: 0 });
      expectAllFiniteOrNull(s);
      expect(s.totalReturn).toBe(0);
      expect(s.cagr).toBeNull();
      expect(s.sharpe).toBeNull();
      expect(s.volatility).toBeNull();
      expect(s.maxDrawdown).toBe(0);
      expect(s.winRate).toBeNull();
      expect(s.profitFactor).toBeNull();
      expect(s.trades).toBe(0);
      expect(s.bars).toBe(curve.ts.length);
    }
  });

  it('uses null for Sharpe of a flat curve and for profit factor without losses', () => {
    const s = computeStats({
      curve: curveOf([0, 1e9, 2e9, 3e9], [100, 100, 100, 100]),
      trips: [trip(5, 1), trip(7, 2)],
      initialEquity: 100,
      feesPaid: 0,
      barsInMarket: 2,
    });
    expectAllFiniteOrNull(s);
    expect(s.sharpe).toBeNull();
    expect(s.sortino).toBeNull();
    expect(s.calmar).toBeNull();
    expect(s.volatility).toBe(0);
    expect(s.profitFactor).toBeNull();
    expect(s.winRate).toBe(1);
  });

  it('caps the drawdown at 1 when equity falls below zero and keeps CAGR finite', () => {
    const s = computeStats({
      curve: curveOf([0, YEAR_MS / 2, YEAR_MS], [100, 50, -20]),
      trips: [],
      initialEquity: 100,
      feesPaid: 0,
      barsInMarket: 0,
    });
    expectAllFiniteOrNull(s);
    expect(s.maxDrawdown).toBe(1);
    expect(s.cagr).toBe(-1);
    expect(s.totalReturn).toBeCloseTo(-1.2, 12);
  });

  it('counts a fall deeper below zero equity as a loss, not a gain', () => {
    // 100 → −10 → −20 → −30: every bar loses 10 or more. A return taken as e ÷ previous − 1
    // read −20 over −10 as +100 %, and this sinking account had a positive Sharpe. Each
    // return is the change over the size of the equity before it: −1.1, −1, −0.5.
    const D = 86_400_000;
    const s = computeStats({
      curve: curveOf([0, D, 2 * D, 3 * D], [100, -10, -20, -30]),
      trips: [],
      initialEquity: 100,
      feesPaid: 0,
      barsInMarket: 0,
    });
    const r = [-1.1, -1, -0.5];
    const mean = (r[0]! + r[1]! + r[2]!) / 3;
    const sd = Math.sqrt(r.reduce((a, x) => a + (x - mean) ** 2, 0) / 2);
    const down = Math.sqrt(r.reduce((a, x) => a + x * x, 0) / 3);
    const sqrtP = Math.sqrt(365.25);
    expect(s.periodsPerYear).toBeCloseTo(365.25, 9);
    expect(s.volatility).toBeCloseTo(sd * sqrtP, 9);
    expect(s.sharpe).toBeCloseTo((mean / sd) * sqrtP, 9);
    expect(s.sortino).toBeCloseTo((mean / down) * sqrtP, 9);
    expect(s.sharpe!).toBeLessThan(0);
  });

  it('infers periods per year from hourly 24/7 bars and from weekday-only daily bars', () => {
    const H = 3_600_000;
    const hourly = Array.from({ length: 1000 }, (_, i) => i * H);
    const h = computeStats({
      curve: curveOf(
        hourly,
        hourly.map((_, i) => 100 + (i % 7)),
      ),
      trips: [],
      initialEquity: 100,
      feesPaid: 0,
      barsInMarket: 0,
    });
    // 365.25 × 24 hours a year.
    expect(h.periodsPerYear).toBeCloseTo(8766, 9);

    // Weekdays of 2021 and 2022: about 261 a year, not 365.
    const days: number[] = [];
    for (let t = Date.UTC(2021, 0, 4); t <= Date.UTC(2022, 11, 30); t += 86_400_000) {
      const wd = new Date(t).getUTCDay();
      if (wd !== 0 && wd !== 6) days.push(t);
    }
    const d = computeStats({
      curve: curveOf(
        days,
        days.map((_, i) => 100 + (i % 5)),
      ),
      trips: [],
      initialEquity: 100,
      feesPaid: 0,
      barsInMarket: 0,
    });
    expect(d.periodsPerYear).toBeGreaterThan(255);
    expect(d.periodsPerYear).toBeLessThan(265);
  });

  it('counts points that share a timestamp as one period', () => {
    // Two symbols sampled at the same bar times: the last point of each time counts.
    const single = computeStats({
      curve: curveOf([0, YEAR_MS, 2 * YEAR_MS], [100, 90, 121]),
      trips: [],
      initialEquity: 100,
      feesPaid: 0,
      barsInMarket: 0,
    });
    const doubled = computeStats({
      curve: curveOf([0, 0, YEAR_MS, YEAR_MS, 2 * YEAR_MS, 2 * YEAR_MS], [100, 100, 95, 90, 120, 121]),
      trips: [],
      initialEquity: 100,
      feesPaid: 0,
      barsInMarket: 3,
    });
    expect(doubled.periodsPerYear).toBeCloseTo(1, 12);
    // 1.21 over two years: CAGR 10 %.
    expect(doubled.cagr).toBeCloseTo(0.1, 12);
    expect(doubled.sharpe).toBeCloseTo(single.sharpe!, 12);
    expect(doubled.maxDrawdown).toBeCloseTo(0.1, 12);
    expect(doubled.bars).toBe(6);
    expect(doubled.exposure).toBe(0.5);
  });
});
