import { randomUUID } from 'node:crypto';
import { availableParallelism } from 'node:os';
import cliProgress from 'cli-progress';
import { Option } from 'commander';
import type { Command } from 'commander';
import { absoluteStrategyRef, loadStrategyRef } from '../backtest/loadStrategyRef.js';
import { runBacktest } from '../backtest/runBacktest.js';
import { QtsError } from '../core/QtsError.js';
import { dataFileList } from '../data/dataFileList.js';
import type { BarSeries } from '../model/BarSeries.js';
import type { BacktestSettings } from '../research/BacktestSettings.js';
import { backtestConfig, checkSettings } from '../research/BacktestSettings.js';
import type { ComboEvaluator } from '../research/ComboEvaluator.js';
import { InlineEvaluator } from '../research/ComboEvaluator.js';
import { dataInfo } from '../research/DataInfo.js';
import { fmtObjective, renderOptimizationHtml } from '../research/html/optimizationHtml.js';
import { fmtParams } from '../research/html/researchPage.js';
import { loadResearchData } from '../research/loadResearchData.js';
import type { Objective } from '../research/objectives.js';
import { OBJECTIVES, findObjective, rankByObjective } from '../research/objectives.js';
import { buildOptimizationReport, researchJson } from '../research/OptimizationReport.js';
import type { SearchOptions } from '../research/optimize.js';
import { SearchMethod, optimize } from '../research/optimize.js';
import type { ParamSpace } from '../research/ParamSpace.js';
import { buildParamSpace } from '../research/ParamSpace.js';
import { DEFAULT_QUEUE_NAME, redisOptionsFromUrl } from '../research/queue/researchQueue.js';
import type { WorkerUsage } from '../research/ThreadPoolEvaluator.js';
import { ThreadPoolEvaluator } from '../research/ThreadPoolEvaluator.js';
import { isStrategyPath } from '../strategies/loadStrategy.js';
import type { AnyStrategyClass } from '../strategy/Strategy.js';
import type { DataRangeCliOptions, FillCliOptions } from './backtestOptions.js';
import { STRATEGY_OPTION_HELP, addDataRangeOptions, addFillOptions } from './backtestOptions.js';
import { checkReportPaths, writeReportFile } from './reportFile.js';
import { numberOption } from './plainNumber.js';

/** Options every research command shares: data, strategy and backtest settings. */
export interface ResearchCliOptions extends DataRangeCliOptions, FillCliOptions {
  data: string[];
  strategy: string;
}

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

/** Adds --data, --strategy and the backtest options of `qts backtest`, with the same defaults. */
export function addResearchOptions(cmd: Command): Command {
  const withData = cmd
    .requiredOption(
      '--data <files...>',
      'candle files (freqtrade CSV, Yahoo CSV or JSON); several symbols merge by time',
    )
    .requiredOption('--strategy <id|file>', STRATEGY_OPTION_HELP);
  return addFillOptions(
    addDataRangeOptions(withData),
    'seed of the sampler, the cut points or the resampling, and of every backtest',
  );
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

/** Backtest settings from the shared options, checked. */
export function settingsOf(o: ResearchCliOptions): BacktestSettings {
  return checkSettings({
    initialCash: number('cash', o.cash),
    commission: number('commission', o.commission),
    makerFee: o.makerFee === undefined ? null : number('maker-fee', o.makerFee),
    takerFee: o.takerFee === undefined ? null : number('taker-fee', o.takerFee),
    fill: o.fill,
    intrabar: o.intrabar,
    slippageBps: o.slippageBps === undefined ? null : number('slippage-bps', o.slippageBps),
    spreadBps: o.spreadBps === undefined ? null : number('spread-bps', o.spreadBps),
    volumeShare: o.volumeShare === undefined ? null : number('volume-share', o.volumeShare),
    latencyMs: number('latency', o.latency),
    sizing: o.sizing,
    lot: number('lot', o.lot),
    seed: integer('seed', o.seed),
  });
}

/** The candle files of the shared options, loaded, resampled and cut (warnings returned, not printed). */
export function dataOf(
  o: Pick<ResearchCliOptions, 'data' | keyof DataRangeCliOptions>,
): ReturnType<typeof loadResearchData> {
  return loadResearchData({
    files: o.data,
    ...(o.adjusted ? { adjusted: true } : {}),
    ...(o.timeframe === undefined ? {} : { timeframe: o.timeframe }),
    ...(o.from === undefined ? {} : { from: o.from }),
    ...(o.to === undefined ? {} : { to: o.to }),
  });
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
    });
    // A worker imports a strategy file only when allowed to (docs/research.md, "Distributed runs").
    const allow = isStrategyPath(s.strategyRef) ? ' --allow-strategy-files' : '';
    // A worker on the default queue would never see jobs sent to another one.
    const name = o.queueName === DEFAULT_QUEUE_NAME ? '' : ` --queue-name ${o.queueName}`;
    process.stderr.write(
      `jobs go to queue "${o.queueName}" at ${o.queue}; run workers with: qts worker --queue ${o.queue}${name}${allow}\n`,
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
  try {
    const result = await search(evaluator, progress?.update);
    progress?.stop();
    if (evaluator instanceof ThreadPoolEvaluator)
      process.stderr.write(threadUsageLine(await evaluator.usage(), performance.now() - opened));
    return result;
  } finally {
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

/** `qts optimize`: searches a strategy's parameters on every core (or on Redis workers). */
export function registerOptimizeCommand(program: Command): void {
  const cmd = program
    .command('optimize')
    .description(
      "search a strategy's parameters (grid, random or TPE) on all cores or on `qts worker` processes, rank by an objective",
    );
  addSearchOptions(addResearchOptions(cmd))
    .option('--heatmap <x,y>', 'the two parameters of the HTML heatmap (default: the first two searched)')
    .option('--top <n>', 'rows of the ranking printed', '10')
    .action(async (o: SearchCliOptions & { top: string }) => {
      const s = await searchSetup(o);
      const top = integer('top', o.top, 0);
      const heatmap = o.heatmap === undefined ? undefined : heatmapAxes(o.heatmap, s.space);
      let started = 0;
      const outcome = await searchOnEvaluator(o, s, 'optimize', (evaluator, onProgress) => {
        started = performance.now();
        return optimize(evaluator, { ...searchOptionsOf(s), ...(onProgress ? { onProgress } : {}) });
      });
      const seconds = (performance.now() - started) / 1000;
      const report = buildOptimizationReport({
        strategy: s.strategy.id,
        method: s.method,
        objective: s.objective,
        seed: s.settings.seed,
        samples: s.samples,
        batchSize: s.batchSize,
        space: s.space,
        data: dataInfo(s.series, s.files),
        backtest: s.settings,
        outcome,
      });
      if (o.json !== undefined) writeReportFile(o.json, researchJson(report));
      if (o.html !== undefined) {
        const best =
          report.best === null
            ? undefined
            : runBacktest(backtestConfig(s.settings, s.series, s.strategy, report.best.params)).report;
        writeReportFile(
          o.html,
          renderOptimizationHtml(report, { ...(best ? { best } : {}), ...(heatmap ? { heatmap } : {}) }),
        );
      }
      process.stderr.write(
        `${report.evaluated} combinations in ${seconds.toFixed(1)} s (${(report.evaluated / Math.max(seconds, 1e-9)).toFixed(1)}/s)\n`,
      );
      process.stdout.write(optimizationSummary(report, top));
    });
}

function optimizationSummary(r: ReturnType<typeof buildOptimizationReport>, top: number): string {
  const objective = findObjective(r.objective);
  const lines = [
    `${r.strategy} · ${r.method} search over ${r.spaceSize} combinations (${r.space.map((a) => `${a.name} × ${a.values.length}`).join(', ') || 'defaults only'})`,
    `evaluated ${r.evaluated} · skipped ${r.skipped} (refused by the strategy${r.skippedExamples[0] ? `, e.g. ${r.skippedExamples[0].reason}` : ''})`,
    r.best === null
      ? `best: none (no combination has a ${objective.label})`
      : `best ${objective.label} ${fmtObjective(r.objective, r.best.objective)}: ${fmtParams(r.best.params)}`,
  ];
  rankByObjective(objective, r.results)
    .slice(0, top)
    .forEach((row, i) =>
      lines.push(
        `  ${String(i + 1).padStart(3)}. ${objective.label} ${fmtObjective(r.objective, row.objective).padStart(10)}  return ${(row.totalReturn * 100).toFixed(2).padStart(8)}%  trades ${String(row.trades).padStart(5)}  ${fmtParams(row.params)}`,
      ),
    );
  return lines.join('\n') + '\n';
}

function heatmapAxes(text: string, space: ParamSpace): [string, string] {
  const parts = text.split(',').map((p) => p.trim());
  const names = space.axes.map((a) => a.name);
  if (parts.length !== 2 || parts[0] === parts[1] || parts.some((p) => !names.includes(p)))
    throw new QtsError(
      'ERR_OPTIMIZE_BAD_HEATMAP',
      `--heatmap: expected two different searched parameters "x,y" of ${names.join(', ')}, got "${text}"`,
    );
  return [parts[0] as string, parts[1] as string];
}

/** A finite number option. */
export function number(name: string, text: string): number {
  return numberOption(name, text);
}

/** A whole-number option of at least `min`. */
export function integer(name: string, text: string, min = -Infinity): number {
  const n = number(name, text);
  if (!Number.isSafeInteger(n) || n < min)
    throw new QtsError(
      'ERR_INVALID_OPTION',
      `--${name}: need a whole number${min > -Infinity ? ` ≥ ${min}` : ''}, got "${text}"`,
    );
  return n;
}
