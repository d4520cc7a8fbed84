import { z } from 'zod';
import type { Bar } from '../model/Bar.js';
import { BollingerBands, EMA } from '../strategy/indicators.js';
import { RollingWindow } from '../strategy/RollingWindow.js';
import { PerSymbol } from '../strategy/PerSymbol.js';
import { Strategy } from '../strategy/Strategy.js';
import { followLongFlat } from '../strategy/followLongFlat.js';

const paramsSchema = z
  .object({
    detectorPeriod: z
      .number()
      .int()
      .min(5)
      .max(500)
      .default(48)
      .meta({ step: 1, description: 'bars of the efficiency ratio that tells trend from range' }),
    trendThreshold: z
      .number()
      .min(0.05)
      .max(0.95)
      .default(0.3)
      .meta({ step: 0.05, description: 'trend regime while the efficiency ratio is at least this' }),
    fast: z
      .number()
      .int()
      .min(2)
      .max(200)
      .default(12)
      .meta({ step: 1, description: 'fast EMA of the trend sub-strategy' }),
    slow: z
      .number()
      .int()
      .min(3)
      .max(500)
      .default(26)
      .meta({ step: 1, description: 'slow EMA of the trend sub-strategy' }),
    bandPeriod: z
      .number()
      .int()
      .min(2)
      .max(200)
      .default(20)
      .meta({ step: 1, description: 'Bollinger period of the range sub-strategy' }),
    bandK: z
      .number()
      .min(0.5)
      .max(5)
      .default(2)
      .meta({ step: 0.1, description: 'Bollinger width of the range sub-strategy' }),
  })
  .refine((p) => p.fast < p.slow, { message: 'fast must be smaller than slow', path: ['fast'] });

export type RegimeSwitchingParams = z.infer<typeof paramsSchema>;

interface SymbolState {
  readonly closes: RollingWindow;
  readonly fast: EMA;
  readonly slow: EMA;
  readonly bands: BollingerBands;
}

/**
 * Regime switching, long or flat: a detector decides which of two sub-strategies trades.
 * The detector is Kaufman's efficiency ratio over `detectorPeriod` bars, |net change| /
 * Σ|bar changes| (1 = a straight line, near 0 = back and forth). At or above
 * `trendThreshold` the market trends and the EMA trend follower rules (long while the
 * fast EMA is above the slow one, else flat); below it the market ranges and the
 * Bollinger reversion rules (buy below the lower band, sell above the middle). A position
 * opened under one regime is managed by the other's rules once the regime changes.
 */
export class RegimeSwitching extends Strategy<RegimeSwitchingParams> {
  static readonly id = 'regime-switching';
  static readonly description =
    'Regime switching: efficiency-ratio detector picks EMA trend following or Bollinger reversion';
  static readonly paramsSchema = paramsSchema;

  private readonly state = new PerSymbol<SymbolState>(() => {
    const p = this.params;
    return {
      closes: new RollingWindow(p.detectorPeriod + 1),
      fast: new EMA(p.fast),
      slow: new EMA(p.slow),
      bands: new BollingerBands(p.bandPeriod, p.bandK),
    };
  });

  override onBar(bar: Bar): void {
    const s = this.state.of(bar.symbol);
    s.closes.push(bar.close);
    const fast = s.fast.add(bar.close);
    const slow = s.slow.add(bar.close);
    const b = s.bands.add(bar.close);
    if (!s.closes.full || !s.slow.isStable || b === null || fast === null || slow === null) return;
    let signal: 'long' | 'flat' | undefined;
    if (efficiencyRatio(s.closes) >= this.params.trendThreshold) signal = fast > slow ? 'long' : 'flat';
    else signal = bar.close < b.lower ? 'long' : bar.close > b.middle ? 'flat' : undefined;
    followLongFlat(this.ctx, bar.symbol, signal);
  }
}

/** |last − first| / Σ|consecutive changes| of the window; 0 for a flat window. */
function efficiencyRatio(w: RollingWindow): number {
  let noise = 0;
  for (let i = 1; i < w.length; i++) noise += Math.abs(w.at(i) - w.at(i - 1));
  return noise === 0 ? 0 : Math.abs(w.last() - w.at(0)) / noise;
}
