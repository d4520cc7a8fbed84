import { QtsError } from '../core/QtsError.js';
import type { AnyStrategyClass } from '../strategy/Strategy.js';
import { STRATEGY_LOADERS, unknownStrategy } from './loadStrategy.js';

/**
 * Every built-in strategy, in the order of STRATEGY_LOADERS (loadStrategy.ts), the one list of
 * them: this module loads every strategy module at once, for the places that need them all
 * (`qts strategies`, the API's list, synchronous lookups).
 */
export const BUILT_IN_STRATEGIES: readonly AnyStrategyClass[] = await Promise.all(
  [...STRATEGY_LOADERS].map(async ([id, load]) => {
    const cls = await load();
    // The lazy path finds a strategy by its key, reports by its class's id: they must agree.
    if (cls.id !== id)
      throw new QtsError(
        'ERR_STRATEGY_REGISTRY',
        `STRATEGY_LOADERS: key "${id}" loads the strategy "${cls.id}"`,
      );
    return cls;
  }),
);

/** The strategy class with this id; an unknown id fails listing the available ones. */
export function findStrategy(id: string): AnyStrategyClass {
  const found = BUILT_IN_STRATEGIES.find((s) => s.id === id);
  if (!found) throw unknownStrategy(id);
  return found;
}
