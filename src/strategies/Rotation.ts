import { z } from 'zod';
import { investFractionParam } from '../strategy/investFractionParam.js';
import { rankDescending, stdev } from '../strategy/statistics.js';
import { RebalancingStrategy } from './RebalancingStrategy.js';

const paramsSchema = z.object({
  lookback: z
    .number()
    .int()
    .min(3)
    .max(5000)
    .default(288)
    .meta({ step: 12, description: 'bars of the risk-adjusted momentum' }),
  rebalanceEvery: z
    .number()
    .int()
    .min(1)
    .max(5000)
    .default(24)
    .meta({ step: 12, description: 'review the holding every N bars' }),
  hysteresis: z.number().min(0).max(10).default(0.5).meta({
    step: 0.1,
    description: 'switch only when the new leader scores this much more than the holding',
  }),
  investFraction: investFractionParam(),
});

export type RotationParams = z.infer<typeof paramsSchema>;

/**
 * Rotation (dual momentum) over a universe: hold one symbol at a time, the leader by
 * risk-adjusted momentum — lookback return divided by the standard deviation of its bar
 * returns (a Sharpe-like score, so a steady climber beats a lucky spike). Every
 * `rebalanceEvery` bars: when the leader's score is not positive, go to cash (the quote
 * currency); else rotate into it unless the holding is still positive and within
 * `hysteresis` of the leader's score (switching costs two fees and tends to chase noise).
 */
export class Rotation extends RebalancingStrategy<RotationParams> {
  static readonly id = 'rotation';
  static readonly description =
    'Rotation: hold the single best symbol by risk-adjusted momentum, switch with hysteresis, cash when none is rising';
  static readonly paramsSchema = paramsSchema;

  private holding: string | undefined;

  /** Lookback return over the standard deviation of bar returns. */
  score(symbol: string): number {
    const w = this.closes.get(symbol);
    if (!w) return Number.NaN;
    const rets = new Float64Array(w.length - 1);
    for (let i = 1; i < w.length; i++) rets[i - 1] = w.at(i) / w.at(i - 1) - 1;
    const sd = stdev(rets);
    return sd > 0 ? this.windowReturn(symbol) / sd / Math.sqrt(rets.length) : Number.NaN;
  }

  protected targets(): ReadonlyMap<string, number> | undefined {
    const scores = this.scoreEach((s) => this.score(s));
    const leader = rankDescending(scores)[0];
    const best = leader === undefined ? Number.NaN : (scores.get(leader) as number);
    let next: string | undefined = leader;
    if (leader === undefined || !(best > 0)) next = undefined;
    else if (this.holding !== undefined) {
      const current = scores.get(this.holding) ?? Number.NaN;
      if (current > 0 && best - current <= this.params.hysteresis) next = this.holding;
    }
    if (next === this.holding && next !== undefined) return undefined;
    this.holding = next;
    return new Map(next === undefined ? [] : [[next, 1]]);
  }
}
