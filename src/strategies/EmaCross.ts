import { z } from 'zod';
import type { Bar } from '../model/Bar.js';
import { CrossOver } from '../strategy/CrossOver.js';
import { EMA } from '../strategy/indicators.js';
import { PerSymbol } from '../strategy/PerSymbol.js';
import { Strategy } from '../strategy/Strategy.js';
import { crossSignal, followLongFlat } from '../strategy/followLongFlat.js';

const paramsSchema = z
  .object({
    fast: z
      .number()
      .int()
      .min(2)
      .max(200)
      .default(12)
      .meta({ step: 1, description: 'fast EMA period (bars)' }),
    slow: z
      .number()
      .int()
      .min(3)
      .max(500)
      .default(26)
      .meta({ step: 1, description: 'slow EMA period (bars)' }),
  })
  .refine((p) => p.fast < p.slow, { message: 'fast must be smaller than slow', path: ['fast'] });

export type EmaCrossParams = z.infer<typeof paramsSchema>;

/**
 * Long/flat trend following on exponential averages: buy when the fast EMA crosses above
 * the slow one, sell everything when it crosses back below. The averages are
 * trading-signals' EMA (seeded with the first close, weight 2/(period+1)); no cross is
 * taken before the slow EMA has seen `slow` closes, so a seed that is still echoing
 * through the average cannot trigger the first trade.
 */
export class EmaCross extends Strategy<EmaCrossParams> {
  static readonly id = 'ema-cross';
  static readonly description = 'Fast/slow exponential moving average crossover, long or flat';
  static readonly paramsSchema = paramsSchema;

  private readonly state = new PerSymbol<{ fast: EMA; slow: EMA; cross: CrossOver }>(() => ({
    fast: new EMA(this.params.fast),
    slow: new EMA(this.params.slow),
    cross: new CrossOver(),
  }));

  override onBar(bar: Bar): void {
    const s = this.state.of(bar.symbol);
    const fast = s.fast.add(bar.close) ?? Number.NaN;
    const slow = s.slow.add(bar.close) ?? Number.NaN;
    const cross = s.slow.isStable ? s.cross.update(fast, slow) : 0;
    followLongFlat(this.ctx, bar.symbol, crossSignal(cross));
  }
}
