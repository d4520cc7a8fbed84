import { z } from 'zod';
import { investFractionParam } from '../strategy/investFractionParam.js';
import type { Bar } from '../model/Bar.js';
import type { EngleGrangerResult } from '../strategy/engleGranger.js';
import { engleGranger } from '../strategy/engleGranger.js';
import { RollingWindow } from '../strategy/RollingWindow.js';
import { mean, stdev } from '../strategy/statistics.js';
import { PairStrategy } from './PairStrategy.js';
import { rebalanceToWeights } from './rebalanceToWeights.js';

const paramsSchema = z
  .object({
    formation: z.number().int().min(30).max(5000).default(576).meta({
      step: 24,
      description: 'bars of log prices the hedge ratio and cointegration test are fitted on',
    }),
    refitEvery: z
      .number()
      .int()
      .min(1)
      .max(5000)
      .default(144)
      .meta({ step: 12, description: 'refit and retest every N bars' }),
    zWindow: z
      .number()
      .int()
      .min(10)
      .max(5000)
      .default(96)
      .meta({ step: 12, description: 'bars of spread the z-score is measured against' }),
    entryZ: z
      .number()
      .min(0.5)
      .max(5)
      .default(2)
      .meta({ step: 0.1, description: 'enter when |z| reaches this' }),
    exitZ: z
      .number()
      .min(0)
      .max(3)
      .default(0.5)
      .meta({ step: 0.1, description: 'exit when |z| falls below this' }),
    adfLags: z
      .number()
      .int()
      .min(0)
      .max(12)
      .default(1)
      .meta({ step: 1, description: 'lagged differences in the ADF regression' }),
    // One literal of three values, not a union of three literals: its JSON schema is a numeric
    // enum, so `qts strategies` lists the choices and `qts optimize --param significance` searches them.
    significance: z.literal([0.01, 0.05, 0.1]).default(0.05).meta({
      description: 'level of the Engle-Granger test (MacKinnon critical values): 0.01, 0.05 or 0.1',
    }),
    investFraction: investFractionParam('share of equity put in the cheap leg'),
  })
  .refine((p) => p.exitZ < p.entryZ, { message: 'exitZ must be below entryZ', path: ['exitZ'] })
  .refine((p) => p.zWindow <= p.formation, {
    message: 'zWindow must not exceed formation',
    path: ['zWindow'],
  });

export type PairsArbitrageParams = z.infer<typeof paramsSchema>;

/**
 * Statistical arbitrage on a pair (A and B: the first two configured symbols in symbol
 * order; see PairStrategy for a leg whose data ends). Every
 * `refitEvery` bars the last `formation` log prices are tested with Engle-Granger: OLS
 * log A = α + β·log B, then an ADF test of the residuals against MacKinnon's critical
 * value. While the pair is cointegrated, the spread log A − α − β·log B of the last
 * `zWindow` bars gives a z-score. Spot cannot short the rich leg, so this holds the cheap
 * one: z ≥ entryZ (A rich) → hold B; z ≤ −entryZ → hold A; |z| < exitZ → flat. A pair
 * that stops being cointegrated is closed out and left alone until it tests positive again.
 */
export class PairsArbitrage extends PairStrategy<PairsArbitrageParams> {
  static readonly id = 'pairs-arbitrage';
  static readonly description =
    'Pairs arbitrage: Engle-Granger cointegration (OLS hedge ratio + ADF), z-score of the spread, hold the cheap leg';
  static readonly paramsSchema = paramsSchema;

  private logA = new RollingWindow(this.params.formation);
  private logB = new RollingWindow(this.params.formation);
  private fit: EngleGrangerResult | undefined;
  private periods = 0;
  private target: ReadonlyMap<string, number> | undefined;
  private pending = false;

  /** The z-score of the latest spread under the current fit; NaN without a cointegrated fit. */
  zScore(): number {
    const f = this.fit;
    if (!f?.cointegrated) return Number.NaN;
    const n = this.params.zWindow;
    const spread = new Float64Array(n);
    const off = this.logA.length - n;
    for (let i = 0; i < n; i++) spread[i] = this.logA.at(off + i) - f.alpha - f.beta * this.logB.at(off + i);
    const sd = stdev(spread);
    return sd > 0 ? ((spread[n - 1] as number) - mean(spread)) / sd : Number.NaN;
  }

  protected reset(): void {
    this.logA = new RollingWindow(this.params.formation);
    this.logB = new RollingWindow(this.params.formation);
    this.fit = undefined;
    this.periods = 0;
    this.target = undefined;
    this.pending = false;
  }

  protected onPair(barA: Bar, barB: Bar): void {
    const [a, b] = this.legs as readonly [string, string];
    this.logA.push(Math.log(barA.close));
    this.logB.push(Math.log(barB.close));
    this.periods += 1;
    if (!this.logA.full) return;
    if (this.periods % this.params.refitEvery === 0 || this.fit === undefined) {
      const p = this.params;
      this.fit = engleGranger(this.logA.values(), this.logB.values(), p.adfLags, p.significance);
    }
    const z = this.zScore();
    const holding = this.target?.keys().next().value;
    let next: string | undefined = holding;
    if (Number.isNaN(z)) next = undefined;
    else if (z >= this.params.entryZ) next = b;
    else if (z <= -this.params.entryZ) next = a;
    else if (Math.abs(z) < this.params.exitZ) next = undefined;
    if (next !== holding || this.target === undefined) {
      this.target = new Map(next === undefined ? [] : [[next, this.params.investFraction]]);
      this.pending = true;
    }
    if (this.pending) this.pending = rebalanceToWeights(this.ctx, [a, b], this.target) === 'pending';
  }
}
