import { QtsError } from '../../core/QtsError.js';
import type { BacktestSettings } from '../BacktestSettings.js';
import type { ComboTask } from '../ComboTask.js';

/**
 * Version of what a run puts in Redis. A worker refuses a run of a higher version, and any
 * settings or task field it does not know: a worker of an older build would otherwise run
 * the backtest without that setting (a spread, a maker fee) and its metrics would join the
 * run's report as if they were right. Raise it when a field changes meaning.
 */
export const QUEUE_PROTOCOL = 2;

/** What a run stores once for all its jobs: a worker needs nothing else but the series bytes. */
export interface RunSpec {
  readonly protocol: number;
  /** A built-in strategy id, or a strategy file's absolute path (the file must be there on the worker's machine). */
  readonly strategyId: string;
  /**
   * The run's settings. Protocol 1 called this field `settings`; the new name makes a worker
   * built before the protocol check fail each job loudly instead of running without the
   * settings it does not know.
   */
  readonly backtest: BacktestSettings;
  readonly series: readonly {
    readonly symbol: string;
    readonly timeframe: string;
    readonly length: number;
  }[];
}

/** Every settings field this build runs with; the compiler keeps the list complete. */
const SETTINGS_FIELDS: Readonly<Record<keyof BacktestSettings, true>> = {
  initialCash: true,
  commission: true,
  makerFee: true,
  takerFee: true,
  fill: true,
  intrabar: true,
  slippageBps: true,
  spreadBps: true,
  volumeShare: true,
  latencyMs: true,
  sizing: true,
  lot: true,
  seed: true,
};

const TASK_FIELDS: Readonly<Record<keyof ComboTask, true>> = { params: true, from: true, to: true };

function unknownFields(value: object, known: Readonly<Record<string, true>>): string[] {
  return Object.keys(value).filter((k) => !Object.hasOwn(known, k));
}

function incompatible(runId: string, what: string): QtsError {
  return new QtsError(
    'ERR_QUEUE_INCOMPATIBLE',
    `run ${runId} ${what}: this worker's build is older than the coordinator's; upgrade qts on the worker`,
    { runId },
  );
}

/** The spec of a run as this worker can run it, or ERR_QUEUE_INCOMPATIBLE. */
export function parseRunSpec(runId: string, text: string): RunSpec {
  const raw = JSON.parse(text) as Partial<RunSpec> & { settings?: BacktestSettings };
  const protocol = raw.protocol ?? 1;
  if (protocol > QUEUE_PROTOCOL)
    throw incompatible(runId, `is of queue protocol ${protocol} and this worker speaks ${QUEUE_PROTOCOL}`);
  const backtest = protocol === 1 ? raw.settings : raw.backtest;
  if (backtest === undefined || raw.strategyId === undefined || raw.series === undefined)
    throw new QtsError('ERR_QUEUE_RUN_GONE', `run ${runId} has an incomplete spec in Redis`, { runId });
  const unknown = unknownFields(backtest, SETTINGS_FIELDS);
  if (unknown.length > 0)
    throw incompatible(runId, `uses settings this worker does not know (${unknown.join(', ')})`);
  return { protocol, strategyId: raw.strategyId, backtest, series: raw.series };
}

/** Refuses a task with a field this worker would ignore (a newer coordinator's option). */
export function checkTaskFields(runId: string, task: ComboTask): void {
  const unknown = unknownFields(task, TASK_FIELDS);
  if (unknown.length > 0)
    throw incompatible(runId, `sends tasks with fields this worker does not know (${unknown.join(', ')})`);
}
