import type { BacktestConfig } from '../../../src/backtest/runBacktest.js';
import { toFixed } from '../../../src/core/Fixed.js';
import type { BarSeries } from '../../../src/model/BarSeries.js';
import { parseSizing } from '../../../src/portfolio/Sizer.js';
import { findStrategy } from '../../../src/strategies/registry.js';

/**
 * A small SMA(5)/SMA(20) all-in run with a 0.1 % commission over `series`, filled at the close;
 * `overrides` replace any of its settings.
 */
export function smaCrossConfig(
  series: readonly BarSeries[],
  overrides: Partial<BacktestConfig> = {},
): BacktestConfig {
  return {
    series,
    strategy: findStrategy('sma-cross'),
    params: { fast: 5, slow: 20 },
    initialCash: 10_000,
    commission: 0.001,
    fill: { fillAt: 'close' },
    sizing: parseSizing('all-in', toFixed('0.001')),
    seed: 1,
    ...overrides,
  };
}
