import { CommanderError } from 'commander';
import type { Command } from 'commander';
import { loadStrategyRef } from '../backtest/loadStrategyRef.js';
import { validateParams } from '../backtest/validateParams.js';
import { isoTime } from '../core/time.js';
import { dataFileList } from '../data/dataFileList.js';
import { lookaheadCheck } from '../research/lookahead.js';
import { collectParams, parseParams } from './parseParams.js';
import type { ResearchCliOptions } from './researchOptions.js';
import { addResearchOptions, dataOf, integer, settingsOf } from './researchOptions.js';
import { checkReportPaths, writeReportFile } from './reportFile.js';

/** `qts lookahead`: proves a strategy makes the same signals on truncated data. */
export function registerLookaheadCommand(program: Command): void {
  const cmd = program
    .command('lookahead')
    .description(
      'check a strategy for look-ahead bias: signals before each cut point (random, and right after bars where it traded) must not change when the data ends there (exit 1 if they do)',
    );
  addResearchOptions(cmd)
    .option(
      '--params <list>',
      'strategy parameters as name=value,name=value (validated by the strategy; repeatable)',
      collectParams,
    )
    .option('--cuts <n>', 'number of random cut points', '10')
    .option(
      '--signal-cuts <n>',
      'cut right after up to this many bars where the full run placed or canceled an order, spread over the run (0: none)',
      '20',
    )
    .option('--min-bars <n>', 'no cut before this bar (default: 10% of the data)')
    .option('--json <file>', 'write the result as JSON here')
    .action(
      async (
        o: ResearchCliOptions & {
          params?: string;
          cuts: string;
          signalCuts: string;
          minBars?: string;
          json?: string;
        },
      ) => {
        checkReportPaths(o, dataFileList(o.data));
        const strategy = await loadStrategyRef(o.strategy);
        const params = parseParams(o.params);
        validateParams(strategy, params);
        const settings = settingsOf(o);
        const { series, warnings } = dataOf(o);
        for (const w of warnings) process.stderr.write(`warning: ${w}\n`);
        const result = lookaheadCheck({
          series,
          strategy,
          params,
          settings,
          cuts: integer('cuts', o.cuts, 0),
          signalCuts: integer('signal-cuts', o.signalCuts, 0),
          seed: settings.seed,
          ...(o.minBars === undefined ? {} : { minBars: integer('min-bars', o.minBars, 2) }),
        });
        if (o.json !== undefined) writeReportFile(o.json, `${JSON.stringify(result, null, 2)}\n`);
        const lines = [
          `${result.strategy}: ${result.signals} signals in the full run, ${result.cuts.length} cuts`,
        ];
        for (const c of result.cuts) {
          const at = `${c.kind} cut at bar ${c.cutIndex} (${isoTime(c.cutTs)})`;
          lines.push(
            c.difference === null
              ? `  ok    ${at}: ${c.compared} signals identical`
              : `  FAIL  ${at}: signal #${c.difference.position} differs\n          full run:  ${c.difference.full ?? '(none)'}\n          truncated: ${c.difference.truncated ?? '(none)'}`,
          );
        }
        lines.push(
          result.passed
            ? 'PASS: no look-ahead detected'
            : 'FAIL: the strategy uses data it could not have had',
        );
        if (result.passed && result.signals === 0)
          lines.push('note: the strategy made no signal, so nothing was compared');
        process.stdout.write(lines.join('\n') + '\n');
        // Exit 1 (not 2, bad input): the check ran and the strategy failed it.
        if (!result.passed) throw new CommanderError(1, 'qts.lookahead.failed', 'look-ahead detected');
      },
    );
}
