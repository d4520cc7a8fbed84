import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { Option } from 'commander';
import { loadStrategyRef } from '../backtest/loadStrategyRef.js';
import { runBacktest } from '../backtest/runBacktest.js';
import type { BacktestReport } from '../backtest/BacktestReport.js';
import { QtsError } from '../core/QtsError.js';
import { dataFileList } from '../data/dataFileList.js';
import { backtestConfig } from '../research/BacktestSettings.js';
import { renderMonteCarloHtml } from '../research/html/monteCarloHtml.js';
import type { Distribution } from '../research/monteCarlo.js';
import { MonteCarloMethod, monteCarlo } from '../research/monteCarlo.js';
import type { ResearchCliOptions } from './researchOptions.js';
import { addResearchOptions, dataOf, integer, settingsOf } from './researchOptions.js';
import { checkReportPaths, writeReportFile } from './reportFile.js';
import { collectParams, parseParams } from './parseParams.js';

interface MonteCarloCliOptions extends Partial<ResearchCliOptions> {
  report?: string;
  params?: string;
  runs: string;
  method: MonteCarloMethod;
  tradesPerRun?: string;
  json?: string;
  html?: string;
}

/** `qts monte-carlo`: resamples a backtest's trades into distributions of return and drawdown. */
export function registerMonteCarloCommand(program: Command): void {
  const cmd = program
    .command('monte-carlo')
    .description(
      'Monte Carlo on a trade list (a backtest JSON report, or a backtest run now): percentiles of final return and max drawdown, probability of loss',
    );
  addOptionalResearchOptions(cmd)
    .option(
      '--report <file>',
      'a `qts backtest --json` report whose tradeList is resampled (instead of --data/--strategy)',
    )
    .option(
      '--params <list>',
      'with --data: strategy parameters as name=value,name=value (repeatable)',
      collectParams,
    )
    .option('--runs <n>', 'simulated runs', '10000')
    .addOption(
      new Option('--method <m>', 'bootstrap: draw trades with replacement; shuffle: permute their order')
        .choices(Object.values(MonteCarloMethod))
        .default(MonteCarloMethod.BOOTSTRAP),
    )
    .option('--trades-per-run <n>', 'bootstrap: trades drawn per run (default: as many as the list has)')
    .option('--json <file>', 'write the result (percentiles, not every run) as JSON here')
    .option('--html <file>', 'write the self-contained HTML report with histograms here')
    .action(async (o: MonteCarloCliOptions) => {
      checkReportPaths(o, o.report !== undefined ? [o.report] : dataFileList(o.data ?? []));
      const { report, title } = await tradeSource(o);
      const seed = integer('seed', o.seed ?? '42');
      const pnls = report.tradeList.filter((t) => t.closed).map((t) => t.pnl);
      const result = monteCarlo({
        pnls,
        initialEquity: report.initialCash,
        runs: integer('runs', o.runs, 1),
        seed,
        method: o.method,
        ...(o.tradesPerRun === undefined
          ? {}
          : { tradesPerRun: integer('trades-per-run', o.tradesPerRun, 1) }),
      });
      const { finalReturns: _f, maxDrawdowns: _d, ...summary } = result;
      if (o.json !== undefined)
        writeReportFile(
          o.json,
          `${JSON.stringify({ schemaVersion: 1, kind: 'monte-carlo', source: title, ...summary }, null, 2)}\n`,
        );
      if (o.html !== undefined) writeReportFile(o.html, renderMonteCarloHtml(result, title));
      const pct = (v: number): string => `${(v * 100).toFixed(2)}%`.padStart(9);
      const line = (name: string, d: Distribution): string =>
        `${name.padEnd(14)}${[d.p5, d.p25, d.p50, d.p75, d.p95].map(pct).join(' ')}`;
      process.stdout.write(
        [
          `${title}: ${result.method} · ${result.runs} runs of ${result.tradesPerRun} trades (of ${result.trades}) · seed ${seed}`,
          `${''.padEnd(14)}${['5%', '25%', '50%', '75%', '95%'].map((p) => p.padStart(9)).join(' ')}`,
          line('final return', result.finalReturn),
          line('max drawdown', result.maxDrawdown),
          `probability of loss ${(result.probabilityOfLoss * 100).toFixed(2)}% · original order of the closed trades: return ${pct(result.original.finalReturn).trim()}, max drawdown ${pct(result.original.maxDrawdown).trim()} (a position still open is not a trade here)`,
        ].join('\n') + '\n',
      );
    });
}

/** The backtest options, with --data and --strategy optional (a report file can replace them). */
function addOptionalResearchOptions(cmd: Command): Command {
  addResearchOptions(cmd);
  for (const opt of cmd.options)
    if (opt.long === '--data' || opt.long === '--strategy') opt.mandatory = false;
  return cmd;
}

async function tradeSource(o: MonteCarloCliOptions): Promise<{ report: BacktestReport; title: string }> {
  if (o.report !== undefined) {
    if (o.data !== undefined) throw new QtsError('ERR_INVALID_OPTION', 'give --report or --data, not both');
    let parsed: unknown;
    try {
      parsed = JSON.parse(readFileSync(o.report, 'utf8'));
    } catch (e) {
      throw new QtsError(
        'ERR_MONTECARLO_REPORT',
        `${o.report}: not a readable JSON report (${(e as Error).message})`,
      );
    }
    const r = parsed as Partial<BacktestReport>;
    if (!Array.isArray(r.tradeList) || typeof r.initialCash !== 'number')
      throw new QtsError(
        'ERR_MONTECARLO_REPORT',
        `${o.report}: no tradeList/initialCash (write it with qts backtest --json)`,
      );
    return { report: r as BacktestReport, title: `${r.strategy ?? 'report'} (${o.report})` };
  }
  if (o.data === undefined || o.strategy === undefined)
    throw new QtsError(
      'ERR_INVALID_OPTION',
      'give --report FILE, or --data FILE and --strategy ID|FILE to run the backtest',
    );
  const strategy = await loadStrategyRef(o.strategy);
  const settings = settingsOf(o as ResearchCliOptions);
  const { series } = dataOf({ ...o, data: o.data });
  const { report } = runBacktest(backtestConfig(settings, series, strategy, parseParams(o.params)));
  return { report, title: `${strategy.id} on ${series.map((s) => s.symbol).join(', ')}` };
}
