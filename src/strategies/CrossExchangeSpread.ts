import { z } from 'zod';
import { investFractionParam } from '../strategy/investFractionParam.js';
import type { Bar } from '../model/Bar.js';
import { RollingWindow } from '../strategy/RollingWindow.js';
import { mean, stdev } from '../strategy/statistics.js';
import { PairStrategy } from './PairStrategy.js';
import { rebalanceToWeights } from './rebalanceToWeights.js';

const paramsSchema = z
  .object({
    window: z
      .number()
      .int()
      .min(10)
      .max(5000)
      .default(288)
      .meta({ step: 12, description: 'bars of spread its usual level and spread are measured over' }),
    entryZ: z
      .number()
      .min(0.5)
      .max(6)
      .default(2.5)
      .meta({ step: 0.1, description: 'enter when the spread is this many stdevs from its mean' }),
    exitZ: z
      .number()
      .min(0)
      .max(3)
      .default(0.5)
      .meta({ step: 0.1, description: 'exit when it is back within this many stdevs' }),
    minEdgeBps: z.number().min(0).max(500).default(25).meta({
      step: 5,
      description: 'and only when the deviation is at least this many basis points (two fees and slippage)',
    }),
    investFraction: investFractionParam('share of equity put in the cheap venue'),
  })
  .refine((p) => p.exitZ < p.entryZ, { message: 'exitZ must be below entryZ', path: ['exitZ'] });

export type CrossExchangeSpreadParams = z.infer<typeof paramsSchema>;

/**
 * Cross-exchange spread on one asset quoted on two venues (e.g. `ETH/BTC` and its copy on
 * a second exchange, `ETH-OKX/BTC`): A and B are the first two configured symbols in
 * symbol order, so the order they were given in cannot change a run (the rule is the same
 * for either venue; see PairStrategy for a venue whose data ends). The spread is
 * log(A / B); its mean and standard deviation over `window` bars are its usual level
 * (venues keep a premium for fees and transfer costs). When one venue trades below the
 * other by more than `entryZ` stdevs and at least `minEdgeBps`, the cheap venue's
 * instrument is bought; it is sold once the spread is back within `exitZ` stdevs.
 * Long-only (spot): the rich venue would need inventory to sell.
 */
export class CrossExchangeSpread extends PairStrategy<CrossExchangeSpreadParams> {
  static readonly id = 'cross-exchange-spread';
  static readonly description =
    'Cross-exchange spread: buy the venue trading at an unusual discount to the other, sell on convergence';
  static readonly paramsSchema = paramsSchema;

  private spreads = new RollingWindow(this.params.window);
  private holding: string | undefined;
  private pending = false;

  protected reset(): void {
    this.spreads = new RollingWindow(this.params.window);
    this.holding = undefined;
    this.pending = false;
  }

  protected onPair(barA: Bar, barB: Bar): void {
    const [a, b] = this.legs as readonly [string, string];
    const spread = Math.log(barA.close / barB.close);
    this.spreads.push(spread);
    if (!this.spreads.full) return;
    const values = this.spreads.values();
    const m = mean(values);
    const sd = stdev(values);
    if (!(sd > 0)) return;
    const z = (spread - m) / sd;
    const edge = Math.abs(spread - m) * 10_000 >= this.params.minEdgeBps;
    let next = this.holding;
    if (edge && z <= -this.params.entryZ) next = a;
    else if (edge && z >= this.params.entryZ) next = b;
    else if (Math.abs(z) < this.params.exitZ) next = undefined;
    if (next !== this.holding) {
      this.holding = next;
      this.pending = true;
    }
    const target = new Map(this.holding === undefined ? [] : [[this.holding, this.params.investFraction]]);
    if (this.pending) this.pending = rebalanceToWeights(this.ctx, [a, b], target) === 'pending';
  }
}
