import type { Command } from 'commander';
import { QtsError } from '../core/QtsError.js';
import type { BacktestSettings } from '../research/BacktestSettings.js';
import { checkSettings } from '../research/BacktestSettings.js';
import { loadResearchData } from '../research/loadResearchData.js';
import type { DataRangeCliOptions, FillCliOptions } from './backtestOptions.js';
import { STRATEGY_OPTION_HELP, addDataRangeOptions, addFillOptions } from './backtestOptions.js';
import { numberOption } from './plainNumber.js';

/** Options every research command shares: data, strategy and backtest settings. */
export interface ResearchCliOptions extends DataRangeCliOptions, FillCliOptions {
  data: string[];
  strategy: string;
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
