import { Option } from 'commander';
import type { Command } from 'commander';
import { DEFAULT_BACKTEST_SETTINGS } from '../research/BacktestSettings.js';

/** Which slice of the candle files a run uses: the data options of `qts backtest` and the research commands. */
export interface DataRangeCliOptions {
  adjusted?: boolean;
  timeframe?: string;
  from?: string;
  to?: string;
}

/** How the simulated venue fills and sizes: the options every backtesting command shares, as typed. */
export interface FillCliOptions {
  fill: 'close' | 'next-open';
  intrabar: 'pessimistic' | 'ohlc' | 'adaptive';
  commission: string;
  makerFee?: string;
  takerFee?: string;
  slippageBps?: string;
  spreadBps?: string;
  volumeShare?: string;
  latency: string;
  cash: string;
  sizing: string;
  lot: string;
  seed: string;
}

/** Help of every command's --strategy: a built-in id, or a strategy file of the user's. */
export const STRATEGY_OPTION_HELP =
  'built-in strategy id (see `qts strategies`), or a strategy file: a path starting with . or / or ending in .ts/.mts/.js/.mjs, whose default export (or single exported Strategy subclass) runs; it imports Strategy from "quant-trading-system/strategy" (docs/strategies.md, "Your own strategy")';

/** Adds --adjusted, --timeframe, --from and --to. */
export function addDataRangeOptions(cmd: Command): Command {
  return cmd
    .option('--adjusted', 'price Yahoo files from Adj Close instead of Close')
    .option('--timeframe <tf>', 'resample the data to this higher timeframe first (e.g. 1h, 1d)')
    .option(
      '--from <date>',
      'first bar to use (YYYY-MM-DD or YYYY-MM-DDTHH:MM[:SS][Z|±HH:MM]; UTC without an offset)',
    )
    .option('--to <date>', 'end of the data to use, exclusive (same forms as --from)');
}

/**
 * Adds the fill, fee, cash, sizing and seed options with the defaults of
 * DEFAULT_BACKTEST_SETTINGS, so `qts backtest` and a research run of the same strategy
 * agree unless told otherwise. `seedHelp` says what the seed drives in the command.
 */
export function addFillOptions(cmd: Command, seedHelp: string): Command {
  const d = DEFAULT_BACKTEST_SETTINGS;
  return cmd
    .addOption(
      new Option('--fill <when>', 'market orders fill at the signal bar close or the next open')
        .choices(['close', 'next-open'])
        .default(d.fill),
    )
    .addOption(
      new Option('--intrabar <path>', 'order of touches inside a bar')
        .choices(['pessimistic', 'ohlc', 'adaptive'])
        .default(d.intrabar),
    )
    .option('--commission <rate>', 'fee rate per fill, maker and taker (0.001 = 0.1%)', String(d.commission))
    .option('--maker-fee <rate>', 'fee rate of maker fills (resting limit orders); overrides --commission')
    .option(
      '--taker-fee <rate>',
      'fee rate of taker fills (market orders, triggered stops; all-in sizing pays it); overrides --commission',
    )
    .option('--slippage-bps <bps>', 'slippage against us on taker fills, in basis points')
    .option(
      '--spread-bps <bps>',
      'quoted spread in basis points; taker fills cross half of it (instead of --slippage-bps)',
    )
    .option(
      '--volume-share <fraction>',
      'max share of a bar volume one order may fill per bar (partial fills)',
    )
    .option('--latency <ms>', 'order latency to the venue in milliseconds', String(d.latencyMs))
    .option('--cash <amount>', 'starting cash in the quote currency', String(d.initialCash))
    .option('--sizing <spec>', 'quantity of buys without one: all-in | fixed:QTY | percent:P', d.sizing)
    .option('--lot <step>', 'quantity step for sizing (1 = whole units)', String(d.lot))
    .option('--seed <n>', seedHelp, String(d.seed));
}
