import { QtsError } from '../core/QtsError.js';
import type { AnyStrategyClass } from '../strategy/Strategy.js';
import { BollingerReversion } from './BollingerReversion.js';
import { DcaAccumulation } from './DcaAccumulation.js';
import { EmaCross } from './EmaCross.js';
import { GridTrading } from './GridTrading.js';
import { MacdCross } from './MacdCross.js';
import { RsiReversion } from './RsiReversion.js';
import { SmaCross } from './SmaCross.js';

/** Every built-in strategy, by id. Adding one = one file plus one line here. */
export const BUILT_IN_STRATEGIES: readonly AnyStrategyClass[] = [
  SmaCross,
  EmaCross,
  RsiReversion,
  MacdCross,
  BollingerReversion,
  GridTrading,
  DcaAccumulation,
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
