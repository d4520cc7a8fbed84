// Runs a 150k-bar SMA-cross backtest five times with a full collection before each, printing a
// marker after each collection. Started by keptClasses.test.ts with --expose-gc --trace-deopt.
import { runBacktest } from '../../../src/backtest/runBacktest.js';
import type { BacktestResult } from '../../../src/backtest/runBacktest.js';
import { toFixed } from '../../../src/core/Fixed.js';
import { randomWalkSeries } from '../../../src/data/syntheticSeries.js';
import { parseSizing } from '../../../src/portfolio/Sizer.js';
import { smaCrossConfig } from './smaCrossConfig.js';

const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error('run with --expose-gc');
const series = randomWalkSeries({
  symbol: 'BENCH/USDT',
  timeframe: '1m',
  length: 150_000,
  seed: 42,
  startPrice: 100,
  volatility: 0.002,
});
let result: BacktestResult | undefined;
for (let i = 0; i < 5; i++) {
  // The previous run's result is dropped first, as an optimizer drops each combination's.
  result = undefined;
  gc();
  console.log(`--- full collection ${i}`);
  result = runBacktest(
    smaCrossConfig([series], {
      params: { fast: 10, slow: 30 },
      initialCash: 100_000,
      commission: 0,
      sizing: parseSizing('all-in', toFixed('0.0001')),
    }),
  );
  console.log(`orders ${result.report.orders}`);
}
