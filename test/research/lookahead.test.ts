import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { randomWalkSeries } from '../../src/data/syntheticSeries.js';
import type { Bar } from '../../src/model/Bar.js';
import type { BarSeries } from '../../src/model/BarSeries.js';
import { DEFAULT_BACKTEST_SETTINGS } from '../../src/research/BacktestSettings.js';
import { lookaheadCheck } from '../../src/research/lookahead.js';
import { findStrategy } from '../../src/strategies/registry.js';
import type { AnyStrategyClass } from '../../src/strategy/Strategy.js';
import { Strategy } from '../../src/strategy/Strategy.js';

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
    expect(r.cuts.length).toBe(8);
    expect(r.cuts.every((c) => c.difference === null && c.compared > 0)).toBe(true);
    // The cuts are spread over the data, so later cuts compare more signals.
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
