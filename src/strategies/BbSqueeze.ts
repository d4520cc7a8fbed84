import { z } from 'zod';
import type { Bar } from '../model/Bar.js';
import { BollingerBands } from '../strategy/indicators.js';
import { RollingWindow } from '../strategy/RollingWindow.js';
import { PerSymbol } from '../strategy/PerSymbol.js';
import { Strategy } from '../strategy/Strategy.js';
import { followLongFlat } from '../strategy/followLongFlat.js';

const paramsSchema = z.object({
  period: z
    .number()
    .int()
    .min(2)
    .max(200)
    .default(20)
    .meta({ step: 1, description: 'Bollinger period (bars)' }),
  k: z
    .number()
    .min(0.5)
    .max(5)
    .default(2)
    .meta({ step: 0.1, description: 'band width in standard deviations' }),
  lookback: z
    .number()
    .int()
    .min(10)
    .max(2000)
    .default(120)
    .meta({ step: 10, description: 'a squeeze is a band width at its lowest of this many bars' }),
  memory: z
    .number()
    .int()
    .min(1)
    .max(200)
    .default(12)
    .meta({ step: 1, description: 'a breakout counts for this many bars after the last squeeze' }),
});

export type BbSqueezeParams = z.infer<typeof paramsSchema>;

/**
 * Bollinger-width squeeze, long or flat: volatility contracts before it expands. The band
 * width (upper − lower) / middle at its lowest of the last `lookback` widths marks a
 * squeeze; a close above the upper band within `memory` bars of a squeeze buys (the
 * expansion broke upward); a close below the middle band sells everything.
 */
export class BbSqueeze extends Strategy<BbSqueezeParams> {
  static readonly id = 'bb-squeeze';
  static readonly description =
    'Bollinger-width squeeze: after the narrowest bands in N bars, buy a close above the upper band';
  static readonly paramsSchema = paramsSchema;

  private readonly state = new PerSymbol<{ bb: BollingerBands; widths: RollingWindow; sinceSqueeze: number }>(
    () => ({
      bb: new BollingerBands(this.params.period, this.params.k),
      widths: new RollingWindow(this.params.lookback),
      sinceSqueeze: Infinity,
    }),
  );

  override onBar(bar: Bar): void {
    const s = this.state.of(bar.symbol);
    const b = s.bb.add(bar.close);
    if (b === null) return;
    const width = (b.upper - b.lower) / b.middle;
    s.widths.push(width);
    if (s.widths.full && width <= Math.min(...s.widths.values())) s.sinceSqueeze = 0;
    else s.sinceSqueeze += 1;
    const breakout = s.sinceSqueeze <= this.params.memory && bar.close > b.upper;
    followLongFlat(this.ctx, bar.symbol, breakout ? 'long' : bar.close < b.middle ? 'flat' : undefined);
  }
}
