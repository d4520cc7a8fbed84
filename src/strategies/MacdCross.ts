import { z } from 'zod';
import type { Bar } from '../model/Bar.js';
import { CrossOver } from '../strategy/CrossOver.js';
import { EMA, MACD } from '../strategy/indicators.js';
import { PerSymbol } from '../strategy/PerSymbol.js';
import { Strategy } from '../strategy/Strategy.js';
import { crossSignal, followLongFlat } from '../strategy/followLongFlat.js';

const paramsSchema = z
  .object({
    fast: z
      .number()
      .int()
      .min(2)
      .max(100)
      .default(12)
      .meta({ step: 1, description: 'fast EMA period of the MACD line' }),
    slow: z
      .number()
      .int()
      .min(3)
      .max(300)
      .default(26)
      .meta({ step: 1, description: 'slow EMA period of the MACD line' }),
    signal: z
      .number()
      .int()
      .min(2)
      .max(100)
      .default(9)
      .meta({ step: 1, description: 'EMA period of the signal line' }),
  })
  .refine((p) => p.fast < p.slow, { message: 'fast must be smaller than slow', path: ['fast'] });

export type MacdCrossParams = z.infer<typeof paramsSchema>;

/**
 * Long/flat momentum: buy when the MACD line (fast EMA − slow EMA) crosses above its
 * signal line (an EMA of the MACD line), sell everything when it crosses back below.
 * trading-signals' MACD starts the MACD line once `slow` closes were seen; crosses count
 * only once the signal EMA has had `signal` MACD values, so its seed cannot fire a trade.
 */
export class MacdCross extends Strategy<MacdCrossParams> {
  static readonly id = 'macd';
  static readonly description = 'MACD line crossing its signal line, long or flat';
  static readonly paramsSchema = paramsSchema;

  private readonly state = new PerSymbol<{ macd: MACD; cross: CrossOver }>(() => {
    const { fast, slow, signal } = this.params;
    return { macd: new MACD(new EMA(fast), new EMA(slow), new EMA(signal)), cross: new CrossOver() };
  });

  override onBar(bar: Bar): void {
    const s = this.state.of(bar.symbol);
    const m = s.macd.add(bar.close);
    const cross = m !== null && s.macd.signal.isStable ? s.cross.update(m.macd, m.signal) : 0;
    followLongFlat(this.ctx, bar.symbol, crossSignal(cross));
  }
}
