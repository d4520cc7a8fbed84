import { z } from 'zod';
import { investFractionParam } from '../strategy/investFractionParam.js';
import { mean, rankDescending } from '../strategy/statistics.js';
import { RebalancingStrategy } from './RebalancingStrategy.js';

const paramsSchema = z.object({
  lookback: z
    .number()
    .int()
    .min(1)
    .max(2000)
    .default(12)
    .meta({ step: 1, description: 'bars of the return that is expected to revert' }),
  bottom: z
    .number()
    .int()
    .min(1)
    .max(50)
    .default(3)
    .meta({ step: 1, description: 'hold this many worst performers' }),
  rebalanceEvery: z
    .number()
    .int()
    .min(1)
    .max(2000)
    .default(12)
    .meta({ step: 1, description: 'rank and rebalance every N bars' }),
  investFraction: investFractionParam(),
});

export type CrossSectionalReversionParams = z.infer<typeof paramsSchema>;

/**
 * Cross-sectional mean reversion (long-only, spot): over short horizons the laggards of a
 * universe tend to catch up with it. Every `rebalanceEvery` bars, each symbol's return
 * over `lookback` bars is taken relative to the universe's mean; the `bottom` symbols
 * with the lowest returns that are below the mean are held, each weighted by how far
 * below (the classic Lo-MacKinlay contrarian weights, long leg only), the rest sold.
 */
export class CrossSectionalReversion extends RebalancingStrategy<CrossSectionalReversionParams> {
  static readonly id = 'cross-sectional-reversion';
  static readonly description =
    'Cross-sectional mean reversion: hold the worst recent performers, weighted by their shortfall to the universe mean';
  static readonly paramsSchema = paramsSchema;

  protected targets(): ReadonlyMap<string, number> {
    const rets = this.scoreEach((s) => this.windowReturn(s));
    const avg = mean([...rets.values()].filter((r) => !Number.isNaN(r)));
    const losers = rankDescending(rets)
      .reverse()
      .slice(0, this.params.bottom)
      .filter((s) => (rets.get(s) as number) < avg);
    const gaps = losers.map((s) => avg - (rets.get(s) as number));
    const total = gaps.reduce((a, b) => a + b, 0);
    return new Map(losers.map((s, i) => [s, total > 0 ? (gaps[i] as number) / total : 0] as const));
  }
}
