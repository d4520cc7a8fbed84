import type { BacktestSettings } from './BacktestSettings.js';
import type { ComboMetrics } from './ComboMetrics.js';
import type { ComboTask } from './ComboTask.js';
import type { SharedSeries } from './SharedSeries.js';
import type { ThreadCpu } from './threadCpu.js';

/** What every worker thread starts with (workerData): shared memory is shared, not copied. */
export interface ThreadInit {
  readonly series: readonly SharedSeries[];
  readonly strategyId: string;
  readonly settings: BacktestSettings;
}

/** The main thread to a worker: backtest tasks `first`, `first + 1`, …; or report CPU use. */
export type ToThread =
  | { readonly kind: 'run'; readonly first: number; readonly tasks: readonly ComboTask[] }
  | { readonly kind: 'usage' };

/** A worker's answer: the metrics of a chunk (and how long it took), a coded error, or its CPU use. */
export type FromThread =
  | {
      readonly kind: 'done';
      readonly first: number;
      readonly metrics: readonly ComboMetrics[];
      readonly ms: number;
    }
  | {
      readonly kind: 'failed';
      readonly first: number;
      readonly error: { readonly code: string; readonly message: string };
    }
  | { readonly kind: 'usage'; readonly cpu: ThreadCpu | null };
