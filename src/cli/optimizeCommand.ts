import type { Command } from 'commander';
import { runBacktest } from '../backtest/runBacktest.js';
import { QtsError } from '../core/QtsError.js';
import { backtestConfig } from '../research/BacktestSettings.js';
import { dataInfo } from '../research/DataInfo.js';
import { fmtObjective, renderOptimizationHtml } from '../research/html/optimizationHtml.js';
import { fmtParams } from '../research/html/researchPage.js';
import { findObjective, rankByObjective } from '../research/objectives.js';
import { buildOptimizationReport, researchJson } from '../research/OptimizationReport.js';
import { optimize } from '../research/optimize.js';
import type { ParamSpace } from '../research/ParamSpace.js';
import { writeReportFile } from './reportFile.js';
import { addResearchOptions, integer } from './researchOptions.js';
import type { SearchCliOptions } from './searchSetup.js';
import { addSearchOptions, searchOnEvaluator, searchOptionsOf, searchSetup } from './searchSetup.js';

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
