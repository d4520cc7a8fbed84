import type { BarSeries } from '../model/BarSeries.js';
import type { AnyStrategyClass } from '../strategy/Strategy.js';
import type { BacktestSettings } from './BacktestSettings.js';
import type { ComboMetrics } from './ComboMetrics.js';
import type { ComboTask } from './ComboTask.js';
import { evaluateCombo } from './evaluateCombo.js';

/**
 * Runs batches of backtests of one research run (one data set, strategy and settings). The
 * optimizer, walk-forward and TPE only ever talk to this port, so a run gives the same
 * result in the calling thread, on worker threads or on `qts worker` processes behind Redis.
 */
export interface ComboEvaluator {
  /** Metrics of every task, in the order of `tasks` whatever order they finish in. */
  evaluate(tasks: readonly ComboTask[], onDone?: (done: number) => void): Promise<ComboMetrics[]>;
  /** Frees threads, connections and shared keys. */
  close(): Promise<void>;
}

/**
 * Runs every task in the calling thread, one after the other: for small runs, for tests and
 * for strategy classes that are not in the registry (worker threads find strategies by id).
 */
export class InlineEvaluator implements ComboEvaluator {
  constructor(
    private readonly series: readonly BarSeries[],
    private readonly strategy: AnyStrategyClass,
    private readonly settings: BacktestSettings,
  ) {}

  evaluate(tasks: readonly ComboTask[], onDone?: (done: number) => void): Promise<ComboMetrics[]> {
    const out: ComboMetrics[] = [];
    for (const task of tasks) {
      out.push(evaluateCombo(this.series, this.strategy, this.settings, task));
      onDone?.(out.length);
    }
    return Promise.resolve(out);
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
