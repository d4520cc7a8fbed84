import type { AnyStrategyClass } from '../strategy/Strategy.js';

/**
 * Each built-in strategy's id and a loader of its module only, in the registry's order. A
 * backtest of one strategy then loads that strategy's code, not all of them (and not
 * trading-signals when the strategy uses none of its indicators): `findStrategy` imports every
 * strategy module and costs a cold `qts backtest` about 70 ms.
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

/** The built-in strategy with this id; an unknown id fails as findStrategy does, listing the ids. */
export async function loadStrategy(id: string): Promise<AnyStrategyClass> {
  const load = STRATEGY_LOADERS.get(id);
  if (load !== undefined) return load();
  const { findStrategy } = await import('./registry.js');
  return findStrategy(id);
}
