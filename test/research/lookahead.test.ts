import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { loadBarSeries } from '../../src/data/loadBarSeries.js';
import { randomWalkSeries } from '../../src/data/syntheticSeries.js';
import type { Bar } from '../../src/model/Bar.js';
import type { BarSeries } from '../../src/model/BarSeries.js';
import { DEFAULT_BACKTEST_SETTINGS } from '../../src/research/BacktestSettings.js';
import { lookaheadCheck } from '../../src/research/lookahead.js';
import { findStrategy } from '../../src/strategies/registry.js';
import type { AnyStrategyClass } from '../../src/strategy/Strategy.js';
import { Strategy } from '../../src/strategy/Strategy.js';
import { HAS_SHARED_DATA, sharedFile } from '../support/sharedData.js';

const series = [
  randomWalkSeries({ symbol: 'SYN/USDT', timeframe: '1h', length: 1500, seed: 5, volatility: 0.01 }),
];

/**
 * A test-only cheater: built around the series it runs on, it buys before the next bar
 * closes higher and sells before it closes lower — the classic leak of an index off by one.
 */
function cheater(data: readonly BarSeries[]): AnyStrategyClass {
  const s = data[0] as BarSeries;
  class NextBarPeeker extends Strategy<Record<string, never>> {
    static readonly id = 'next-bar-peeker';
    static readonly description = 'reads the next bar (test only)';
    static readonly paramsSchema = z.object({});
    private i = 0;
    override onBar(bar: Bar): void {
      const next = s.close[this.i + 1];
      this.i++;
      if (next === undefined) return;
      const pos = this.ctx.position(bar.symbol);
      if (next > bar.close && pos.isFlat) this.ctx.buy(bar.symbol);
      else if (next < bar.close && pos.isLong) this.ctx.sell(bar.symbol);
    }
  }
  return NextBarPeeker;
}

/**
 * A subtler cheater that trades rarely: a 10/30 SMA cross whose fast average is centred, so it
 * takes in the next close (a common smoothing mistake). Its signals differ only on the bar
 * before a cut, and only where a signal was due.
 */
function centredSmaCross(data: readonly BarSeries[]): AnyStrategyClass {
  const close = (data[0] as BarSeries).close;
  class CentredSmaCross extends Strategy<Record<string, never>> {
    static readonly id = 'centred-sma-cross';
    static readonly description = 'SMA cross with a centred fast average (test only)';
    static readonly paramsSchema = z.object({});
    private i = 0;
    private prev = 0;
    override onBar(bar: Bar): void {
      const i = this.i++;
      if (i < 30) return;
      let fast = 0;
      for (let k = i - 8; k <= i + 1; k++) fast += close[k] ?? bar.close;
      let slow = 0;
      for (let k = i - 29; k <= i; k++) slow += close[k] as number;
      const side = Math.sign(fast / 10 - slow / 30);
      const pos = this.ctx.position(bar.symbol);
      if (side > 0 && this.prev <= 0 && pos.isFlat) this.ctx.buy(bar.symbol);
      else if (side < 0 && this.prev >= 0 && pos.isLong) this.ctx.sell(bar.symbol);
      this.prev = side;
    }
  }
  return CentredSmaCross;
}

describe('lookaheadCheck', () => {
  it('passes sma-cross: every signal before each cut is the same on truncated data', () => {
    const r = lookaheadCheck({
      series,
      strategy: findStrategy('sma-cross'),
      params: { fast: 5, slow: 20 },
      settings: DEFAULT_BACKTEST_SETTINGS,
      cuts: 8,
      seed: 3,
    });
    expect(r.passed).toBe(true);
    expect(r.signals).toBeGreaterThan(100);
    // 8 random cuts and one right after each of 20 bars where it traded, spread over the run.
    expect(r.cuts.filter((c) => c.kind === 'random').length).toBe(8);
    expect(r.cuts.filter((c) => c.kind === 'signal').length).toBe(20);
    expect(r.cuts.every((c) => c.difference === null && c.compared > 0)).toBe(true);
    // The cuts are spread over the data, in order, so later cuts compare more signals.
    expect(r.cuts.map((c) => c.cutIndex)).toEqual(r.cuts.map((c) => c.cutIndex).sort((x, y) => x - y));
    expect(r.cuts.at(-1)!.compared).toBeGreaterThan(r.cuts[0]!.compared);
  });

  it('catches a strategy that reads the next bar, naming the first signal that changed', () => {
    const r = lookaheadCheck({
      series,
      strategy: cheater,
      params: {},
      settings: DEFAULT_BACKTEST_SETTINGS,
      cuts: 8,
      seed: 3,
    });
    expect(r.passed).toBe(false);
    const failed = r.cuts.filter((c) => c.difference !== null);
    expect(failed.length).toBeGreaterThan(0);
    const d = failed[0]!.difference!;
    // The full run traded on the last bar before the cut (it knew the next close); the truncated run could not.
    const lastBarClose = series[0]!.ts[failed[0]!.cutIndex - 1]! + 3_600_000;
    expect(d.full).toContain(`${lastBarClose} OrderInitialized`);
    expect(d.truncated).toBeNull();
  });

  it.skipIf(!HAS_SHARED_DATA)(
    'catches a rarely trading strategy that peeks one bar, by cutting right after its signals',
    () => {
      const orcl = [loadBarSeries(sharedFile('stocks-daily/orcl-1995-2014.txt')).series];
      const r = lookaheadCheck({
        series: orcl,
        strategy: centredSmaCross,
        params: {},
        settings: DEFAULT_BACKTEST_SETTINGS,
        cuts: 10,
        seed: 1,
      });
      // Random cuts alone (10 of them, any of seeds 1..10) never fell on one of its signal bars.
      expect(r.cuts.filter((c) => c.kind === 'random').every((c) => c.difference === null)).toBe(true);
      expect(r.passed).toBe(false);
      const failed = r.cuts.filter((c) => c.difference !== null);
      expect(failed.every((c) => c.kind === 'signal')).toBe(true);
      expect(failed.length).toBeGreaterThanOrEqual(3);
    },
  );

  it.skipIf(!HAS_SHARED_DATA)(
    'passes multi-timeframe: an hourly bar handled after the cut does not pull later fills before it',
    () => {
      const eth = [loadBarSeries(sharedFile('crypto/spot-5m/ETH_BTC-5m.csv')).series];
      const r = lookaheadCheck({
        series: eth,
        strategy: findStrategy('multi-timeframe'),
        params: {},
        settings: DEFAULT_BACKTEST_SETTINGS,
        cuts: 10,
        seed: 42,
      });
      expect(r.cuts.filter((c) => c.difference !== null)).toEqual([]);
      expect(r.passed).toBe(true);
      expect(r.cuts.filter((c) => c.kind === 'signal').length).toBe(20);
    },
  );

  it('refuses data too short for any cut', () => {
    expect(() =>
      lookaheadCheck({
        series: [randomWalkSeries({ symbol: 'X/USDT', timeframe: '1h', length: 2, seed: 1 })],
        strategy: findStrategy('sma-cross'),
        params: {},
        settings: DEFAULT_BACKTEST_SETTINGS,
        seed: 1,
      }),
    ).toThrow(expect.objectContaining({ code: 'ERR_LOOKAHEAD_DATA' }));
  });
});
