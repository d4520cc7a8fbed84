import { toFixed } from '../src/core/Fixed.js';
import { runBacktest } from '../src/backtest/runBacktest.js';
import { randomWalkSeries } from '../src/data/syntheticSeries.js';
import { parseSizing } from '../src/portfolio/Sizer.js';
import { findStrategy } from '../src/strategies/registry.js';
const series = randomWalkSeries({ symbol: 'BENCH/USDT', timeframe: '1m', length: 400_000, seed: 42, startPrice: 100 });
for (let k = 0; k < 2; k++) {
  const t = performance.now();
  const r = runBacktest({ series: [series], strategy: findStrategy('sma-cross'), params: { fast: 10, slow: 30 }, initialCash: 100_000, commission: 0.001, fill: { fillAt: 'close' }, sizing: parseSizing('all-in', toFixed('0.0001')), seed: 1 });
  console.log(performance.now() - t, r.report.orders);
}
