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
