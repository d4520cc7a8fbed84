import { mkdirSync, writeFileSync } from 'node:fs';
import { toFixed } from './core/Fixed.js';
import { isQtsError } from './core/QtsError.js';
import { stableJson } from './backtest/BacktestReport.js';
import { renderHtmlReport } from './backtest/htmlReport.js';
import { runBacktest } from './backtest/runBacktest.js';
import { summary } from './cli/backtestCommand.js';
import { createProgress } from './cli/progress.js';
import { randomWalkSeries } from './data/syntheticSeries.js';
import { parseSizing } from './portfolio/Sizer.js';
import { findStrategy } from './strategies/registry.js';

/**
 * `npm start`: until the shadow-trading runtime lands, the entry runs a demo backtest
 * on a seeded synthetic market (no files, no network), so a newcomer sees the engine
 * work at once: progress bar, summary, and JSON + HTML reports under reports/.
 */
function demo(): void {
  const bars = Number(process.env['QTS_DEMO_BARS'] ?? 500_000);
  const series = randomWalkSeries({
    symbol: 'DEMO/USDT',
    timeframe: '1m',
    length: bars,
    seed: 7,
    startPrice: 30_000,
  });
  process.stderr.write(`demo backtest: sma-cross on ${bars} synthetic 1m bars of DEMO/USDT (seed 7)\n`);
  const progress = createProgress(series.length, 0);
  const result = runBacktest({
    series: [series],
    strategy: findStrategy('sma-cross'),
    params: { fast: 50, slow: 200 },
    initialCash: 100_000,
    commission: 0.001,
    sizing: parseSizing('percent:95', toFixed('0.0001')),
    seed: 7,
    dataFiles: ['synthetic:random-walk(seed=7)'],
    ...(progress ? { onProgress: progress.update } : {}),
  });
  progress?.stop();
  mkdirSync('reports', { recursive: true });
  writeFileSync('reports/demo-backtest.json', stableJson(result.report));
  writeFileSync(
    'reports/demo-backtest.html',
    renderHtmlReport(result.report, [{ symbol: series.symbol, ts: series.ts, close: series.close }]),
  );
  process.stdout.write(summary(result.report));
  process.stdout.write('reports: reports/demo-backtest.json, reports/demo-backtest.html\n');
}

try {
  demo();
} catch (e) {
  if (!isQtsError(e)) throw e;
  process.stderr.write(`error ${e.code}: ${e.message}\n`);
  process.exitCode = 2;
}
