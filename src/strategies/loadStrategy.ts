import { QtsError } from '../core/QtsError.js';
import type { AnyStrategyClass } from '../strategy/Strategy.js';

/**
 * Each built-in strategy's id and a loader of its module only: the one list of built-ins
 * (registry.ts builds BUILT_IN_STRATEGIES from it, in this order). A backtest of one strategy
 * then loads that strategy's code, not all of them (and not trading-signals when the strategy
 * uses none of its indicators): importing every strategy module costs a cold `qts backtest`
 * about 70 ms. Adding a built-in = one file and one line here; the key must be the class's
 * static id (registry.ts refuses a mismatch).
 */
export const STRATEGY_LOADERS: ReadonlyMap<string, () => Promise<AnyStrategyClass>> = new Map<
  string,
  () => Promise<AnyStrategyClass>
>([
  ['sma-cross', async () => (await import('./SmaCross.js')).SmaCross],
  ['ema-cross', async () => (await import('./EmaCross.js')).EmaCross],
  ['rsi', async () => (await import('./RsiReversion.js')).RsiReversion],
  ['macd', async () => (await import('./MacdCross.js')).MacdCross],
  ['bollinger', async () => (await import('./BollingerReversion.js')).BollingerReversion],
  ['grid', async () => (await import('./GridTrading.js')).GridTrading],
  ['dca', async () => (await import('./DcaAccumulation.js')).DcaAccumulation],
  ['atr-breakout', async () => (await import('./AtrBreakout.js')).AtrBreakout],
  ['bb-squeeze', async () => (await import('./BbSqueeze.js')).BbSqueeze],
  ['vol-regime', async () => (await import('./VolRegime.js')).VolRegime],
  ['multi-timeframe', async () => (await import('./MultiTimeframe.js')).MultiTimeframe],
  ['regime-switching', async () => (await import('./RegimeSwitching.js')).RegimeSwitching],
  ['adaptive', async () => (await import('./AdaptiveKama.js')).AdaptiveKama],
  ['weighted-combo', async () => (await import('./WeightedCombo.js')).WeightedCombo],
  ['momentum-rank', async () => (await import('./MomentumRank.js')).MomentumRank],
  ['rotation', async () => (await import('./Rotation.js')).Rotation],
  [
    'cross-sectional-reversion',
    async () => (await import('./CrossSectionalReversion.js')).CrossSectionalReversion,
  ],
  ['pairs-arbitrage', async () => (await import('./PairsArbitrage.js')).PairsArbitrage],
  ['order-flow', async () => (await import('./OrderFlow.js')).OrderFlow],
  ['factor-investing', async () => (await import('./FactorInvesting.js')).FactorInvesting],
  ['cross-exchange-spread', async () => (await import('./CrossExchangeSpread.js')).CrossExchangeSpread],
  ['funding-extreme', async () => (await import('./FundingExtreme.js')).FundingExtreme],
]);

/**
 * Whether a `--strategy` value names a strategy file rather than a built-in id: it starts with
 * `.` or `/`, or ends in a module extension. No built-in id does either.
 */
export function isStrategyPath(ref: string): boolean {
  return ref.startsWith('.') || ref.startsWith('/') || /\.(ts|mts|js|mjs)$/.test(ref);
}

/** The error of an id that is no built-in: the ids to choose from, or where a file is taken. */
export function unknownStrategy(id: string): QtsError {
  const available = [...STRATEGY_LOADERS.keys()].join(', ');
  if (isStrategyPath(id))
    return new QtsError(
      'ERR_STRATEGY_FILE_NOT_ALLOWED',
      `"${id}" names a strategy file, and only a built-in strategy id is taken here (${available}); ` +
        'strategy files run from the qts commands and config/strategies of the machine that has them',
    );
  return new QtsError('ERR_UNKNOWN_STRATEGY', `unknown strategy "${id}"; available: ${available}`);
}

/** The built-in strategy with this id, loading its module only; an unknown id fails listing the ids. */
export async function loadStrategy(id: string): Promise<AnyStrategyClass> {
  const load = STRATEGY_LOADERS.get(id);
  if (load === undefined) throw unknownStrategy(id);
  return load();
}
