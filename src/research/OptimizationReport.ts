import type { BacktestSettings } from './BacktestSettings.js';
import type { DataInfo } from './DataInfo.js';
import type { Objective } from './objectives.js';
import type { OptimizationRow, SearchMethod, SearchOutcome, SkippedCombo } from './optimize.js';
import type { ParamAxis, ParamSpace } from './ParamSpace.js';

/**
 * The JSON result of `qts optimize`. Nothing in it depends on where or how fast the
 * backtests ran (threads, workers, wall time): a local run and a distributed run of the
 * same inputs write the same bytes.
 */
export interface OptimizationReport {
  readonly schemaVersion: 1;
  readonly kind: 'optimization';
  readonly strategy: string;
  readonly method: SearchMethod;
  readonly objective: string;
  readonly maximize: boolean;
  /** Seed of the sampler. */
  readonly seed: number;
  /** random/tpe: combinations asked for; null for grid. */
  readonly samples: number | null;
  /** tpe: combinations per round; null otherwise. */
  readonly batchSize: number | null;
  readonly space: readonly ParamAxis[];
  readonly spaceSize: number;
  readonly evaluated: number;
  readonly skipped: number;
  readonly skippedExamples: readonly SkippedCombo[];
  readonly data: DataInfo;
  readonly backtest: BacktestSettings;
  readonly best: OptimizationRow | null;
  /** Every evaluated combination, in evaluation order. */
  readonly results: readonly OptimizationRow[];
}

/** Inputs of {@link buildOptimizationReport}. */
export interface OptimizationReportInput {
  readonly strategy: string;
  readonly method: SearchMethod;
  readonly objective: Objective;
  readonly seed: number;
  readonly samples?: number;
  readonly batchSize?: number;
  readonly space: ParamSpace;
  readonly data: DataInfo;
  readonly backtest: BacktestSettings;
  readonly outcome: SearchOutcome;
}

/** The report of a finished search. */
export function buildOptimizationReport(i: OptimizationReportInput): OptimizationReport {
  return {
    schemaVersion: 1,
    kind: 'optimization',
    strategy: i.strategy,
    method: i.method,
    objective: i.objective.id,
    maximize: i.objective.maximize,
    seed: i.seed,
    samples: i.method === 'grid' ? null : (i.samples ?? 100),
    batchSize: i.method === 'tpe' ? (i.batchSize ?? 8) : null,
    space: i.space.axes,
    spaceSize: i.space.size,
    evaluated: i.outcome.rows.length,
    skipped: i.outcome.skipped,
    skippedExamples: i.outcome.skippedExamples,
    data: i.data,
    backtest: i.backtest,
    best: i.outcome.best,
    results: i.outcome.rows,
  };
}

/** A research report as JSON text: 2-space indentation, final newline. */
export function researchJson(report: object): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}
