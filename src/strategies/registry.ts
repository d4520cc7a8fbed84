import { QtsError } from '../core/QtsError.js';
import type { AnyStrategyClass } from '../strategy/Strategy.js';
import { AdaptiveKama } from './AdaptiveKama.js';
import { AtrBreakout } from './AtrBreakout.js';
import { BbSqueeze } from './BbSqueeze.js';
import { BollingerReversion } from './BollingerReversion.js';
import { CrossExchangeSpread } from './CrossExchangeSpread.js';
import { CrossSectionalReversion } from './CrossSectionalReversion.js';
import { DcaAccumulation } from './DcaAccumulation.js';
import { EmaCross } from './EmaCross.js';
import { FactorInvesting } from './FactorInvesting.js';
import { FundingExtreme } from './FundingExtreme.js';
import { GridTrading } from './GridTrading.js';
import { MacdCross } from './MacdCross.js';
import { MomentumRank } from './MomentumRank.js';
import { MultiTimeframe } from './MultiTimeframe.js';
import { OrderFlow } from './OrderFlow.js';
import { PairsArbitrage } from './PairsArbitrage.js';
import { RegimeSwitching } from './RegimeSwitching.js';
import { Rotation } from './Rotation.js';
import { RsiReversion } from './RsiReversion.js';
import { SmaCross } from './SmaCross.js';
import { VolRegime } from './VolRegime.js';
import { WeightedCombo } from './WeightedCombo.js';

/** Every built-in strategy, by id. Adding one = one file, one line here and one in loadStrategy.ts (its test fails without). */
export const BUILT_IN_STRATEGIES: readonly AnyStrategyClass[] = [
  SmaCross,
  EmaCross,
  RsiReversion,
  MacdCross,
  BollingerReversion,
  GridTrading,
  DcaAccumulation,
  AtrBreakout,
  BbSqueeze,
  VolRegime,
  MultiTimeframe,
  RegimeSwitching,
  AdaptiveKama,
  WeightedCombo,
  MomentumRank,
  Rotation,
  CrossSectionalReversion,
  PairsArbitrage,
  OrderFlow,
  FactorInvesting,
  CrossExchangeSpread,
  FundingExtreme,
];

/** The strategy class with this id; an unknown id fails listing the available ones. */
export function findStrategy(id: string): AnyStrategyClass {
  const found = BUILT_IN_STRATEGIES.find((s) => s.id === id);
  if (!found) {
    throw new QtsError(
      'ERR_UNKNOWN_STRATEGY',
      `unknown strategy "${id}"; available: ${BUILT_IN_STRATEGIES.map((s) => s.id).join(', ')}`,
    );
  }
  return found;
}
