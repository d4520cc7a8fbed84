import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { runBacktest } from '../../backtest/runBacktest.js';
import { isQtsError } from '../../core/QtsError.js';
import { loadBarSeries } from '../../data/loadBarSeries.js';
import { sliceSeries } from '../../data/sliceSeries.js';
import type { BarSeries } from '../../model/BarSeries.js';
import { backtestConfig } from '../../research/BacktestSettings.js';
import { loadStrategy } from '../../strategies/loadStrategy.js';
import { CandleStore } from '../../storage/sqlite/CandleStore.js';
import type { BacktestTask, BacktestWorkerMessage } from './BacktestRequest.js';

/*
 * One backtest in its own thread, so a long run never blocks the API's event loop. It reads
 * its candles itself (read-only database connection or the data file), runs the same
 * runBacktest as `qts backtest`, and posts progress and then the JSON report.
 */

function load(task: BacktestTask): { series: BarSeries; name: string } {
  const src = task.source;
  if (src.kind === 'file') {
    const series = loadBarSeries(src.path).series;
    return { series: sliceSeries(series, src.from, src.to), name: src.path };
  }
  const db = new Database(src.dbPath, { readonly: true, fileMustExist: true });
  try {
    const series = new CandleStore(db).range(src.exchange, src.symbol, src.timeframe, src.from, src.to);
    return { series, name: `db:${src.exchange}/${src.symbol}/${src.timeframe}` };
  } finally {
    db.close();
  }
}

async function run(task: BacktestTask): Promise<BacktestWorkerMessage> {
  try {
    // Only this job's strategy is loaded (a thread per job: every strategy would cost ~70 ms each).
    const strategy = await loadStrategy(task.strategy);
    const { series, name } = load(task);
    if (series.length === 0)
      return { type: 'error', code: 'ERR_BACKTEST_NO_DATA', message: `no candles in ${name} for that range` };
    // The same settings-to-run mapping as the research commands, so a setting the API takes
    // runs as its `qts` flag does.
    const result = runBacktest({
      ...backtestConfig(task.settings, [series], strategy, task.params),
      dataFiles: [name],
      onProgress: (done, total) => parentPort?.postMessage({ type: 'progress', done, total }),
    });
    return { type: 'done', report: result.report };
  } catch (e) {
    if (isQtsError(e)) return { type: 'error', code: e.code, message: e.message };
    return {
      type: 'error',
      code: 'ERR_BACKTEST_FAILED',
      message: e instanceof Error ? e.message : String(e),
    };
  }
}

parentPort?.postMessage(await run(workerData as BacktestTask));
