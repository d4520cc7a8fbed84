import { Option } from 'commander';
import type { Command } from 'commander';
import { CandleCsvStream } from '../data/CandleCsvStream.js';
import { dataFileList } from '../data/dataFileList.js';
import { parseDataFileName } from '../data/parseDataFileName.js';
import { STRATEGY_OPTION_HELP, addDataRangeOptions, addFillOptions } from './backtestOptions.js';
import type { BacktestOptions } from './backtestAction.js';
import { collectParams } from './parseParams.js';

/** `qts backtest`: one strategy over one or more candle files through the full engine. */
export function registerBacktestCommand(program: Command): void {
  const cmd = program
    .command('backtest')
    .description('run a strategy over historical candles through the full engine and report the result')
    .requiredOption(
      '--data <files...>',
      'candle files (freqtrade CSV, Yahoo CSV or JSON); several symbols merge by time',
    )
    .option(
      '--trades <files...>',
      'public trades CSV (timestamp,id,side,price,amount) replayed to strategies that read the tape',
    )
    .requiredOption('--strategy <id|file>', STRATEGY_OPTION_HELP)
    .option(
      '--params <list>',
      'strategy parameters as name=value,name=value (validated by the strategy; repeatable)',
      collectParams,
    );
  addDataRangeOptions(addFillOptions(cmd, 'random seed (slippage models, ids): same seed, same trade log'))
    .option('--json <file>', 'write the JSON report here (- for stdout; the summary then goes to stderr)')
    .option('--html <file>', 'write the self-contained HTML report here')
    .option('--no-progress', 'no progress bar')
    .addOption(
      new Option(
        '--market <kind>',
        'spot or futures (USDT-M perpetuals); default: futures for BASE/QUOTE:SETTLE symbols',
      ).choices(['spot', 'futures']),
    )
    .option('--leverage <n>', 'futures: leverage of every symbol, 1..the instrument maximum', '1')
    .addOption(
      new Option('--margin <mode>', 'futures: margin mode')
        .choices(['isolated', 'cross'])
        .default('isolated'),
    )
    .option(
      '--funding <files...>',
      'futures: funding-rate CSV (timestamp,funding_rate), settled at each time',
    )
    .option('--mark <files...>', 'futures: mark-price candle CSV; margin and PnL are valued at it')
    .option('--mmr <rate>', 'futures: flat maintenance-margin rate (default 0.005)')
    .action(async (opts: BacktestOptions) => {
      // A large candle CSV starts its read on a second thread now, while the engine loads.
      const file = streamedFile(opts);
      const stream = file === undefined ? undefined : CandleCsvStream.start(file);
      const { backtestAction } = await import('./backtestAction.js');
      await backtestAction(opts, stream);
    });
}

/**
 * The file a run may start on while it is still being read: the one spot candle file, taken as
 * it is (no resampling, no date range, no replayed trades). Undefined when every file must be
 * loaded whole first. (CandleCsvStream then decides whether the file itself is worth a thread.)
 */
export function streamedFile(
  opts: Pick<BacktestOptions, 'data' | 'timeframe' | 'from' | 'to' | 'trades' | 'adjusted' | 'market'>,
): string | undefined {
  const files = dataFileList(opts.data);
  const file = files[0];
  const whole =
    files.length !== 1 ||
    file === undefined ||
    opts.timeframe !== undefined ||
    opts.from !== undefined ||
    opts.to !== undefined ||
    opts.trades !== undefined ||
    opts.adjusted === true ||
    opts.market === 'futures' ||
    parseDataFileName(file).pair?.includes(':') !== false;
  return whole ? undefined : file;
}
