import { z } from 'zod';
import { investFractionParam } from '../strategy/investFractionParam.js';
import { RebalancingStrategy, topEqualWeights } from './RebalancingStrategy.js';

const paramsSchema = z.object({
  lookback: z
    .number()
    .int()
    .min(2)
    .max(5000)
    .default(288)
    .meta({ step: 12, description: 'bars of the momentum return' }),
  top: z
    .number()
    .int()
    .min(1)
    .max(50)
    .default(3)
    .meta({ step: 1, description: 'hold this many best-ranked symbols' }),
  rebalanceEvery: z
    .number()
    .int()
    .min(1)
    .max(5000)
    .default(48)
    .meta({ step: 12, description: 'rank and rebalance every N bars' }),
  absolute: z.boolean().default(true).meta({
    description: 'hold only symbols whose own return is positive (the rest of the slots stay cash)',
  }),
  investFraction: investFractionParam(),
});

export type MomentumRankParams = z.infer<typeof paramsSchema>;

/**
 * Cross-sectional momentum over a universe (e.g. the ten BTC pairs): every
 * `rebalanceEvery` bars, rank the symbols by their return over the last `lookback` bars
 * and hold the `top` best in equal weights (1/top of the invested equity each); with
 * `absolute`, a symbol that fell is not held even if it ranks. Symbols leaving the top
 * are sold; holdings that stay are resized only when they drifted by more than 2 % of equity.
 */
export class MomentumRank extends RebalancingStrategy<MomentumRankParams> {
  static readonly id = 'momentum-rank';
  static readonly description = 'Momentum rank: hold the top-N symbols by lookback return, equal weight';
  static readonly paramsSchema = paramsSchema;

  protected targets(): ReadonlyMap<string, number> {
    const scores = this.scoreEach((s) => this.windowReturn(s));
    return topEqualWeights(scores, this.params.top, (s) => !this.params.absolute || (scores.get(s) ?? 0) > 0);
  }
}
