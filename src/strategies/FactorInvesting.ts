import { z } from 'zod';
import { investFractionParam } from '../strategy/investFractionParam.js';
import type { RollingWindow } from '../strategy/RollingWindow.js';
import { crossSectionalZ, stdev } from '../strategy/statistics.js';
import { RebalancingStrategy, topEqualWeights } from './RebalancingStrategy.js';

const weight = (description: string, def: number) =>
  z.number().min(-5).max(5).default(def).meta({ step: 0.25, description });

const paramsSchema = z.object({
  lookback: z
    .number()
    .int()
    .min(8)
    .max(5000)
    .default(288)
    .meta({ step: 12, description: 'bars every factor is measured over' }),
  top: z
    .number()
    .int()
    .min(1)
    .max(50)
    .default(3)
    .meta({ step: 1, description: 'hold this many best composite scores' }),
  rebalanceEvery: z
    .number()
    .int()
    .min(1)
    .max(5000)
    .default(72)
    .meta({ step: 12, description: 'score and rebalance every N bars' }),
  largeK: z.number().min(1).max(20).default(3).meta({
    step: 0.5,
    description: 'a bar is a large-order bar when its volume exceeds this × the mean bar volume',
  }),
  momentum: weight('weight of momentum (window return)', 1),
  volatility: weight('weight of low volatility (minus the stdev of bar returns)', 1),
  moneyFlow: weight('weight of money flow (share of close × volume traded on up bars)', 1),
  turnover: weight(
    'weight of abnormal turnover (last quarter of the window vs the whole, in quote volume)',
    1,
  ),
  largeOrders: weight('weight of large-order flow (signed volume of large bars / all volume)', 1),
  funding: weight('weight of the funding factor (minus the last funding rate; perpetuals only)', 0),
  investFraction: investFractionParam(),
});

export type FactorInvestingParams = z.infer<typeof paramsSchema>;

/** The candle factors of one symbol over its window (see FactorInvesting). */
export interface CandleFactors {
  readonly momentum: number;
  readonly volatility: number;
  readonly moneyFlow: number;
  readonly turnover: number;
  readonly largeOrders: number;
}

/**
 * Multi-factor ranking over a universe. Every `rebalanceEvery` bars each symbol gets
 * factor values over the last `lookback` bars — momentum, low volatility, money flow,
 * abnormal turnover, large-order flow and (perpetuals) funding — each factor is turned
 * into cross-sectional z-scores, and the composite Σ weight × z (a missing factor counts
 * 0) ranks the universe; the `top` symbols are held in equal weights. Large orders are
 * read from candles (bars of outsized volume and their direction), as the candle feeds
 * carry no trade sizes. Funding is the negative of the last settled rate: a crowded long
 * side pays, and tends to unwind.
 */
export class FactorInvesting extends RebalancingStrategy<FactorInvestingParams> {
  static readonly id = 'factor-investing';
  static readonly description =
    'Factor investing: momentum, volatility, money-flow, turnover, large-order and funding factors ranked as one composite';
  static readonly paramsSchema = paramsSchema;

  protected targets(): ReadonlyMap<string, number> {
    const p = this.params;
    const raw = this.liveSymbols.map((s) => [s, this.factors(s)] as const);
    const names = ['momentum', 'volatility', 'moneyFlow', 'turnover', 'largeOrders'] as const;
    const composite = this.scoreEach(() => 0);
    const addFactor = (values: ReadonlyMap<string, number>, weight: number): void => {
      for (const [s, zv] of crossSectionalZ(values))
        if (!Number.isNaN(zv)) composite.set(s, (composite.get(s) ?? 0) + weight * zv);
    };
    for (const name of names) addFactor(new Map(raw.map(([s, f]) => [s, f[name]])), p[name]);
    if (p.funding !== 0)
      addFactor(
        this.scoreEach((s) => -(this.ctx.fundingRate?.(s) ?? Number.NaN)),
        p.funding,
      );
    return topEqualWeights(composite, p.top);
  }

  /** The candle factors of one symbol over its window. */
  factors(symbol: string): CandleFactors {
    const c = this.closes.get(symbol) as RollingWindow;
    const o = this.opens.get(symbol) as RollingWindow;
    const v = this.volumes.get(symbol) as RollingWindow;
    const n = c.length;
    const rets = new Float64Array(n - 1);
    let upFlow = 0;
    let flow = 0;
    let volume = 0;
    let recent = 0;
    const quarter = Math.max(1, Math.floor(n / 4));
    for (let i = 0; i < n; i++) {
      const qv = c.at(i) * v.at(i);
      if (i > 0) {
        rets[i - 1] = c.at(i) / c.at(i - 1) - 1;
        if (c.at(i) > c.at(i - 1)) upFlow += qv;
      }
      flow += qv;
      volume += v.at(i);
      if (i >= n - quarter) recent += qv;
    }
    const large = this.params.largeK * (volume / n);
    let signedLarge = 0;
    for (let i = 0; i < n; i++) {
      if (v.at(i) > large) signedLarge += Math.sign(c.at(i) - o.at(i)) * v.at(i);
    }
    return {
      momentum: c.last() / c.at(0) - 1,
      volatility: -stdev(rets),
      moneyFlow: flow > 0 ? upFlow / flow : Number.NaN,
      turnover: flow > 0 ? recent / quarter / (flow / n) - 1 : Number.NaN,
      largeOrders: volume > 0 ? signedLarge / volume : Number.NaN,
    };
  }
}
