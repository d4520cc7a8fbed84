import { randomUUID } from 'node:crypto';
import { availableParallelism } from 'node:os';
import cliProgress from 'cli-progress';
import { Option } from 'commander';
import type { Command } from 'commander';
import { absoluteStrategyRef, loadStrategyRef } from '../backtest/loadStrategyRef.js';
import { dataFileList } from '../data/dataFileList.js';
import type { BarSeries } from '../model/BarSeries.js';
import type { BacktestSettings } from '../research/BacktestSettings.js';
import type { ComboEvaluator } from '../research/ComboEvaluator.js';
import { InlineEvaluator } from '../research/ComboEvaluator.js';
import type { Objective } from '../research/objectives.js';
import { OBJECTIVES, findObjective } from '../research/objectives.js';
import type { SearchOptions } from '../research/optimize.js';
import { SearchMethod } from '../research/optimize.js';
import type { ParamSpace } from '../research/ParamSpace.js';
import { buildParamSpace } from '../research/ParamSpace.js';
import { DEFAULT_QUEUE_NAME, redactedUrl, redisOptionsFromUrl } from '../research/queue/researchQueue.js';
import type { WorkerUsage } from '../research/ThreadPoolEvaluator.js';
import { ThreadPoolEvaluator } from '../research/ThreadPoolEvaluator.js';
import { isStrategyPath } from '../strategies/loadStrategy.js';
import type { AnyStrategyClass } from '../strategy/Strategy.js';
import { checkReportPaths } from './reportFile.js';
import type { ResearchCliOptions } from './researchOptions.js';
import { dataOf, integer, settingsOf } from './researchOptions.js';

/** Options of the searching commands (optimize, walk-forward). */
export interface SearchCliOptions extends ResearchCliOptions {
  param: string[];
  method: string;
  samples: string;
  objective: string;
  batch: string;
  maxCombos: string;
  workers?: string;
  queue?: string;
  queueName: string;
  json?: string;
  html?: string;
  heatmap?: string;
  progress: boolean;
}

/** Adds the search options: parameter space, method, objective, where backtests run, outputs. */
export function addSearchOptions(cmd: Command): Command {
  return cmd
    .option(
      '--param <spec>',
      'a parameter to search, repeatable: name (its declared range), name=a:b, name=a:b:step, name=v1,v2 or name=v (fixed); without any, every declared range is searched',
      (v: string, acc: string[]) => [...acc, v],
      [] as string[],
    )
    .addOption(
      new Option(
        '--method <m>',
        'grid: every combination; random: a seeded uniform sample; tpe: seeded Tree-structured Parzen Estimator',
      )
        .choices(Object.values(SearchMethod))
        .default(SearchMethod.GRID),
    )
    .option('--samples <n>', 'combinations to evaluate with random and tpe', '100')
    .option('--objective <id>', `statistic to optimize: ${OBJECTIVES.map((o) => o.id).join(', ')}`, 'sharpe')
    .option('--batch <n>', 'tpe: combinations proposed per round (part of the result; unlike --workers)', '8')
    .option('--max-combos <n>', 'grid: refuse spaces with more combinations than this', '100000')
    .option('--workers <n>', 'worker threads (default: every core; 0 = in this thread)')
    .option(
      '--queue <url>',
      'run the backtests on `qts worker` processes through this Redis (redis://host:port/db)',
    )
    .option('--queue-name <name>', 'BullMQ queue name', DEFAULT_QUEUE_NAME)
    .option('--json <file>', 'write the JSON report here')
    .option('--html <file>', 'write the self-contained HTML report here')
    .option('--no-progress', 'no progress bar');
}

/** Everything a searching command needs, parsed and checked before any thread starts. */
export interface SearchSetup {
  readonly strategy: AnyStrategyClass;
  /** What worker threads and queue workers load: the built-in id, or the strategy file's absolute path. */
  readonly strategyRef: string;
  readonly space: ParamSpace;
  readonly objective: Objective;
  readonly method: SearchMethod;
  readonly samples: number;
  readonly batchSize: number;
  readonly maxCombos: number;
  readonly settings: BacktestSettings;
  readonly series: BarSeries[];
  readonly files: string[];
}

/** Parses the search options and loads the data. */
export async function searchSetup(o: SearchCliOptions): Promise<SearchSetup> {
  checkReportPaths(o, dataFileList(o.data));
  const strategyRef = absoluteStrategyRef(o.strategy);
  const strategy = await loadStrategyRef(strategyRef);
  const space = buildParamSpace(strategy, o.param);
  const objective = findObjective(o.objective);
  const settings = settingsOf(o);
  const samples = integer('samples', o.samples, 1);
  const batchSize = integer('batch', o.batch, 1);
  const maxCombos = integer('max-combos', o.maxCombos, 1);
  // A bad --queue URL fails before the data is loaded.
  if (o.queue !== undefined) redisOptionsFromUrl(o.queue);
  const { series, files, warnings } = dataOf(o);
  for (const w of warnings) process.stderr.write(`warning: ${w}\n`);
  return {
    strategy,
    strategyRef,
    space,
    objective,
    method: o.method as SearchMethod,
    samples,
    batchSize,
    maxCombos,
    settings,
    series,
    files,
  };
}

/** Where the backtests of a search run: Redis workers, worker threads, or this thread. */
export async function openEvaluator(o: SearchCliOptions, s: SearchSetup): Promise<ComboEvaluator> {
  if (o.queue !== undefined) {
    // The queue client (BullMQ, Redis) is loaded only for a distributed search.
    const { QueueEvaluator } = await import('../research/queue/QueueEvaluator.js');
    const ev = await QueueEvaluator.open({
      url: o.queue,
      queueName: o.queueName,
      runId: randomUUID(),
      series: s.series,
      strategyId: s.strategyRef,
      settings: s.settings,
      // The run waits through an outage; the line says what it waits for.
      onRedis: (r) =>
        process.stderr.write(r.up ? 'Redis answers again; the run goes on\n' : `${r.code}: ${r.message}\n`),
    });
    // A worker imports a strategy file only when allowed to (docs/research.md, "Distributed runs").
    const allow = isStrategyPath(s.strategyRef) ? ' --allow-strategy-files' : '';
    // A worker on the default queue would never see jobs sent to another one.
    const name = o.queueName === DEFAULT_QUEUE_NAME ? '' : ` --queue-name ${o.queueName}`;
    // Logs keep what stderr says: the password stays out of it (*** in its place).
    const at = redactedUrl(o.queue);
    process.stderr.write(
      `jobs go to queue "${o.queueName}" at ${at}; run workers with: qts worker --queue ${at}${name}${allow}\n`,
    );
    return ev;
  }
  const workers = o.workers === undefined ? availableParallelism() : integer('workers', o.workers, 0);
  if (workers === 0) return new InlineEvaluator(s.series, s.strategy, s.settings);
  return ThreadPoolEvaluator.start({
    series: s.series,
    strategyId: s.strategyRef,
    settings: s.settings,
    workers,
  });
}

/** The search of a parsed setup, in the fields optimize and walk-forward both take. */
export function searchOptionsOf(
  s: SearchSetup,
): Pick<
  SearchOptions,
  'strategy' | 'space' | 'method' | 'objective' | 'samples' | 'batchSize' | 'maxCombos' | 'seed'
> {
  return {
    strategy: s.strategy,
    space: s.space,
    method: s.method,
    objective: s.objective,
    samples: s.samples,
    batchSize: s.batchSize,
    maxCombos: s.maxCombos,
    seed: s.settings.seed,
  };
}

/**
 * Runs a search on the evaluator the options name, with a progress bar labelled `label`
 * unless --no-progress. Worker threads and queue connections would keep the process
 * alive, so the evaluator is closed however the search ends.
 */
export async function searchOnEvaluator<T>(
  o: SearchCliOptions,
  s: SearchSetup,
  label: string,
  search: (
    evaluator: ComboEvaluator,
    onProgress: ((done: number, planned: number) => void) | undefined,
  ) => Promise<T>,
): Promise<T> {
  const opened = performance.now();
  const evaluator = await openEvaluator(o, s);
  const progress = o.progress ? comboProgress(label) : undefined;
  // Ctrl-C (or SIGTERM) on a distributed run takes its queued jobs and data out of Redis:
  // otherwise every worker goes on with the backtests of a run nobody waits for, for up to
  // a day. A second Ctrl-C, or Redis not answering within 5 s, ends the process at once.
  const stopRun = (): void => {
    progress?.stop();
    process.stderr.write("stopping: removing the run's queued jobs and data from Redis\n");
    setTimeout(() => process.exit(130), 5_000).unref();
    void evaluator.close().finally(() => process.exit(130));
  };
  const distributed = o.queue !== undefined;
  if (distributed) {
    process.once('SIGINT', stopRun);
    process.once('SIGTERM', stopRun);
  }
  try {
    const result = await search(evaluator, progress?.update);
    progress?.stop();
    if (evaluator instanceof ThreadPoolEvaluator)
      process.stderr.write(threadUsageLine(await evaluator.usage(), performance.now() - opened));
    return result;
  } finally {
    process.off('SIGINT', stopRun);
    process.off('SIGTERM', stopRun);
    progress?.stop();
    await evaluator.close();
  }
}

/**
 * How busy each worker thread was since it started: its share of the time on a core, and
 * waiting for one (Linux). Low CPU with a long wait is a machine busy with other work, not a
 * slow optimizer; low CPU without a wait is a thread that ran out of combinations to test.
 */
export function threadUsageLine(usage: readonly WorkerUsage[], wallMs: number): string {
  const pct = (ms: number): string => `${Math.round((ms / wallMs) * 100)} %`;
  const cpu = usage.map((u) => u.cpu);
  if (cpu.some((c) => c === null) || wallMs <= 0) return `worker threads: ${usage.length}\n`;
  const on = cpu.map((c) => pct(c?.cpuMs ?? 0)).join(' / ');
  const waiting = cpu.map((c) => pct(c?.runQueueMs ?? 0)).join(' / ');
  return `worker threads: ${usage.length} · on a core ${on} of the time · waiting for a core ${waiting}\n`;
}

/** A progress bar with combinations per second and ETA on stderr; silent off a terminal. */
export function comboProgress(label: string): {
  update: (done: number, total: number) => void;
  stop: () => void;
} {
  const bar = new cliProgress.SingleBar(
    {
      format: `${label} [{bar}] {percentage}% | {value}/{total} combos | ETA {eta_formatted}`,
      stream: process.stderr,
      noTTYOutput: false,
      hideCursor: true,
      etaBuffer: 50,
    },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  return {
    update: (done, total) => {
      if (!started) {
        bar.start(total, 0);
        started = true;
      }
      bar.setTotal(total);
      bar.update(done);
    },
    stop: () => {
      if (started) bar.stop();
      started = false;
    },
  };
}
