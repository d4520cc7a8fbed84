import type { Command } from 'commander';
import { Option } from 'commander';
import { fmtParams } from '../research/html/researchPage.js';
import { renderWalkForwardHtml } from '../research/html/walkForwardHtml.js';
import { researchJson } from '../research/OptimizationReport.js';
import { walkForward } from '../research/walkForward.js';
import { WalkForwardMode } from '../research/walkForwardWindows.js';
import { writeReportFile } from './reportFile.js';
import { addResearchOptions, integer } from './researchOptions.js';
import type { SearchCliOptions } from './searchSetup.js';
import { addSearchOptions, searchOnEvaluator, searchOptionsOf, searchSetup } from './searchSetup.js';

interface WalkForwardCliOptions extends SearchCliOptions {
  inSample: string;
  outOfSample: string;
  step?: string;
  mode: WalkForwardMode;
}

/** `qts walk-forward`: optimize in sample, trade the best out of sample, window after window. */
export function registerWalkForwardCommand(program: Command): void {
  const cmd = program
    .command('walk-forward')
    .description(
      'walk-forward analysis: optimize on each in-sample window, backtest the best on the next out-of-sample window, report the stitched out-of-sample result',
    );
  addSearchOptions(addResearchOptions(cmd))
    .requiredOption('--in-sample <bars>', 'bars of each in-sample (optimization) window')
    .requiredOption('--out-of-sample <bars>', 'bars of each out-of-sample (trading) window')
    .option(
      '--step <bars>',
      'bars between window starts, at least the out-of-sample length so windows never overlap (default: the out-of-sample length)',
    )
    .addOption(
      new Option(
        '--mode <m>',
        'rolling: the in-sample window slides; anchored: it starts at the first bar and grows',
      )
        .choices(Object.values(WalkForwardMode))
        .default(WalkForwardMode.ROLLING),
    )
    .option('--anchored', 'same as --mode anchored')
    .action(async (o: WalkForwardCliOptions & { anchored?: boolean }) => {
      const s = await searchSetup(o);
      const windows = {
        inSample: integer('in-sample', o.inSample, 1),
        outOfSample: integer('out-of-sample', o.outOfSample, 1),
        ...(o.step === undefined ? {} : { step: integer('step', o.step, 1) }),
        mode: o.anchored ? WalkForwardMode.ANCHORED : o.mode,
      };
      const report = await searchOnEvaluator(o, s, 'walk-forward', (evaluator, onProgress) =>
        walkForward(evaluator, {
          ...searchOptionsOf(s),
          series: s.series,
          dataFiles: s.files,
          settings: s.settings,
          windows,
          ...(onProgress
            ? {
                onProgress: (_w: number, _n: number, done: number, planned: number) =>
                  onProgress(done, planned),
              }
            : {}),
        }),
      );
      if (o.json !== undefined) writeReportFile(o.json, researchJson(report));
      if (o.html !== undefined) writeReportFile(o.html, renderWalkForwardHtml(report));
      const st = report.oos.stats;
      const pct = (v: number | null): string => (v === null ? 'n/a' : `${(v * 100).toFixed(2)}%`);
      const lines = [
        `${report.strategy} walk-forward · ${report.windows.length} ${windows.mode} windows · ${report.windowSpec.inSample} IS + ${report.windowSpec.outOfSample} OOS bars`,
        ...report.windows.map(
          (w) =>
            `  window ${w.index + 1}: ${w.best === null ? 'no best (nothing traded)' : fmtParams(w.best)} · IS CAGR ${pct(w.inSampleBest?.cagr ?? null)} · OOS return ${pct(w.oos?.totalReturn ?? null)}`,
        ),
        `out of sample: return ${pct(st.totalReturn)} · CAGR ${pct(st.cagr)} · Sharpe ${st.sharpe === null ? 'n/a' : st.sharpe.toFixed(2)} · max drawdown ${pct(st.maxDrawdown)} · ${st.trades} trades`,
        `walk-forward efficiency ${report.efficiency === null ? 'n/a' : report.efficiency.toFixed(2)}`,
      ];
      process.stdout.write(lines.join('\n') + '\n');
    });
}
