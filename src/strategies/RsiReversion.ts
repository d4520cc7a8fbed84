import { z } from 'zod';
import type { Bar } from '../model/Bar.js';
import { CrossOver } from '../strategy/CrossOver.js';
import { RSI } from '../strategy/indicators.js';
import { PerSymbol } from '../strategy/PerSymbol.js';
import { Strategy } from '../strategy/Strategy.js';
import { followLongFlat } from '../strategy/followLongFlat.js';

const paramsSchema = z
  .object({
    period: z.number().int().min(2).max(100).default(14).meta({ step: 1, description: 'RSI period (bars)' }),
    oversold: z
      .number()
      .min(1)
      .max(50)
      .default(30)
      .meta({ step: 1, description: 'buy when RSI crosses below this level' }),
    overbought: z
      .number()
      .min(50)
      .max(99)
      .default(70)
      .meta({ step: 1, description: 'sell when RSI crosses above this level' }),
  })
  .refine((p) => p.oversold < p.overbought, {
    message: 'oversold must be smaller than overbought',
    path: ['oversold'],
  });

export type RsiReversionParams = z.infer<typeof paramsSchema>;

/**
 * Long/flat mean reversion on Wilder's RSI (trading-signals' RSI: averages of gains and
 * losses seeded with their simple mean, then smoothed by 1/period). Buys when the RSI
 * crosses below `oversold` and sells everything when it crosses above `overbought`.
 * "Crosses" is the backtrader sense of CrossOver: the RSI must have been strictly on the
 * other side before, so an RSI that starts below the level, or only touches it, is no signal.
 */
export class RsiReversion extends Strategy<RsiReversionParams> {
  static readonly id = 'rsi';
  static readonly description =
    'RSI mean reversion: buy crossing below oversold, sell crossing above overbought';
  static readonly paramsSchema = paramsSchema;

  private readonly state = new PerSymbol<{ rsi: RSI; oversold: CrossOver; overbought: CrossOver }>(() => ({
    rsi: new RSI(this.params.period),
    oversold: new CrossOver(),
    overbought: new CrossOver(),
  }));

  override onBar(bar: Bar): void {
    const s = this.state.of(bar.symbol);
    const rsi = s.rsi.add(bar.close) ?? Number.NaN;
    const down = s.oversold.update(rsi, this.params.oversold) < 0;
    const up = s.overbought.update(rsi, this.params.overbought) > 0;
    followLongFlat(this.ctx, bar.symbol, down ? 'long' : up ? 'flat' : undefined);
  }
}
