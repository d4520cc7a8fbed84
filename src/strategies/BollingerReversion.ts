import { z } from 'zod';
import type { Bar } from '../model/Bar.js';
import { BollingerBands } from '../strategy/indicators.js';
import { Strategy } from '../strategy/Strategy.js';
import { followLongFlat } from '../strategy/followLongFlat.js';

const paramsSchema = z.object({
  period: z.number().int().min(2).max(200).default(20).meta({ step: 1, description: 'bands period (bars)' }),
  k: z
    .number()
    .min(0.5)
    .max(5)
    .default(2)
    .meta({ step: 0.1, description: 'band width in standard deviations' }),
  exitAt: z
    .enum(['middle', 'upper'])
    .default('middle')
    .meta({ description: 'sell when the close rises above this band' }),
});

export type BollingerReversionParams = z.infer<typeof paramsSchema>;

/**
 * Long/flat mean reversion on Bollinger Bands (trading-signals: SMA of `period` closes ±
 * k population standard deviations, the current close included). Buys when a close
 * falls below the lower band while flat; sells everything when a close rises above the
 * middle band (or the upper one, with exitAt "upper") while long. These are levels, not
 * crosses: a close still below the band after an exit buys again.
 */
export class BollingerReversion extends Strategy<BollingerReversionParams> {
  static readonly id = 'bollinger';
  static readonly description =
    'Bollinger Bands reversion: buy below the lower band, sell above the middle or upper';
  static readonly paramsSchema = paramsSchema;

  private readonly bands = new Map<string, BollingerBands>();

  override onBar(bar: Bar): void {
    let bb = this.bands.get(bar.symbol);
    if (!bb) {
      bb = new BollingerBands(this.params.period, this.params.k);
      this.bands.set(bar.symbol, bb);
    }
    const b = bb.add(bar.close);
    if (b === null) return;
    const exitLevel = this.params.exitAt === 'upper' ? b.upper : b.middle;
    followLongFlat(
      this.ctx,
      bar.symbol,
      bar.close < b.lower ? 'long' : bar.close > exitLevel ? 'flat' : undefined,
    );
  }
}
