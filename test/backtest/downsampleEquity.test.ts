import { describe, expect, it } from 'vitest';
import { downsampleEquity } from '../../src/backtest/BacktestReport.js';

describe('the report equity curve', () => {
  it('keeps one point per time, the last, as the statistics count them', () => {
    // Two symbols: after the first symbol's bar at t=2 equity dips to 80 (the second symbol
    // is still valued at t=1); the full bar at t=2 is 100 again.
    const curve = {
      ts: Float64Array.from([1, 1, 2, 2, 3, 3]),
      equity: Float64Array.from([100, 100, 80, 100, 110, 105]),
    };
    expect(downsampleEquity(curve, 2000)).toEqual([
      { ts: 1, equity: 100 },
      { ts: 2, equity: 100 },
      { ts: 3, equity: 105 },
    ]);
  });

  it('leaves a curve of distinct times whole, and still keeps the extremes when it must cut', () => {
    const equity = Float64Array.from({ length: 1000 }, (_, i) => (i === 500 ? 1 : 100 + (i % 7)));
    const ts = Float64Array.from({ length: 1000 }, (_, i) => i);
    expect(downsampleEquity({ ts, equity }, 2000)).toHaveLength(1000);
    const cut = downsampleEquity({ ts, equity }, 50);
    expect(cut.length).toBeLessThanOrEqual(50);
    expect(cut).toContainEqual({ ts: 500, equity: 1 });
  });
});

describe('the report equity curve of a long run', () => {
  it('keeps the deepest fall from a peak that a bucket’s min and max would lose', () => {
    // A rising curve whose one fall, 15 % from a new high of 130 to 110, stays above the
    // bucket's low (~105) and is followed by a higher high (160) in the same bucket: min/max
    // buckets kept neither 130 nor 110, and the chart showed no drawdown at all.
    const n = 100_000;
    const at = 50_010;
    const equity = Float64Array.from({ length: n }, (_, i) => (i < at ? 100 : 160) + i / 10_000);
    equity[at] = 130;
    equity[at + 1] = 110;
    const ts = Float64Array.from({ length: n }, (_, i) => i * 60_000);
    const cut = downsampleEquity({ ts, equity }, 2000);
    expect(cut.length).toBeLessThanOrEqual(2000);
    expect(cut.length).toBeGreaterThan(900);
    expect(cut).toContainEqual({ ts: at * 60_000, equity: 130 });
    expect(cut).toContainEqual({ ts: (at + 1) * 60_000, equity: 110 });
    expect(deepestFall(cut.map((p) => p.equity))).toBeCloseTo(deepestFall([...equity]), 12);
  });

  it('shows every seeded random walk’s max drawdown exactly', () => {
    let seed = 7;
    const rand = (): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31 - 0.5;
    for (let run = 0; run < 20; run++) {
      const n = 5_000 + run * 3_001;
      const equity = new Float64Array(n);
      let e = 1000;
      for (let i = 0; i < n; i++) equity[i] = e *= 1 + rand() * 0.02;
      const ts = Float64Array.from({ length: n }, (_, i) => i);
      const cut = downsampleEquity({ ts, equity }, 400);
      expect(cut.length).toBeLessThanOrEqual(400);
      expect(deepestFall(cut.map((p) => p.equity))).toBe(deepestFall([...equity]));
    }
  });
});

/** The largest fall from a running peak, as a fraction of the peak (positive curves). */
function deepestFall(values: readonly number[]): number {
  let peak = -Infinity;
  let deepest = 0;
  for (const v of values) {
    if (v > peak) peak = v;
    else deepest = Math.max(deepest, 1 - v / peak);
  }
  return deepest;
}
