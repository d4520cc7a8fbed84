import { runBacktest } from '../backtest/runBacktest.js';
import { sliceSeries } from '../data/sliceSeries.js';
import type { BarSeries } from '../model/BarSeries.js';
import type { AnyStrategyClass } from '../strategy/Strategy.js';
import type { BacktestSettings } from './BacktestSettings.js';
import { backtestConfig } from './BacktestSettings.js';
import type { ComboMetrics } from './ComboMetrics.js';
import { metricsOf } from './ComboMetrics.js';
import type { ComboTask } from './ComboTask.js';

/** The data of a task: every series cut to the task's window (views, no copy). */
export function taskSeries(series: readonly BarSeries[], task: ComboTask): BarSeries[] {
  if (task.from === undefined && task.to === undefined) return [...series];
  return series.map((s) => sliceSeries(s, task.from, task.to));
}

/**
 * Backtests one combination. The one function every executor calls (the calling thread,
 * worker threads, `qts worker` processes), so a combination gives the same metrics wherever
 * it runs: the backtest is a pure function of data, parameters and settings.
 */
export function evaluateCombo(
  series: readonly BarSeries[],
  strategy: AnyStrategyClass,
  settings: BacktestSettings,
  task: ComboTask,
): ComboMetrics {
  const { report } = runBacktest(backtestConfig(settings, taskSeries(series, task), strategy, task.params));
  return metricsOf(report);
}
