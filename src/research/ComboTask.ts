import type { ParamValue } from './ParamSpace.js';

/**
 * One backtest to run: a combination of parameters over the run's data, optionally limited
 * to the bars with open time in [from, to) (the windows of a walk-forward).
 */
export interface ComboTask {
  readonly params: Readonly<Record<string, ParamValue>>;
  readonly from?: number;
  readonly to?: number;
}
