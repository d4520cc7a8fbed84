import { z } from 'zod';
import type { Bar } from '../model/Bar.js';
import { RollingSma } from '../strategy/RollingSma.js';
import { RollingWindow } from '../strategy/RollingWindow.js';
import { PerSymbol } from '../strategy/PerSymbol.js';
import { Strategy } from '../strategy/Strategy.js';
import { followLongFlat } from '../strategy/followLongFlat.js';
import { mean, stdev } from '../strategy/statistics.js';

const paramsSchema = z.object({
  volWindow: z
    .number()
    .int()
    .min(5)
    .max(500)
    .default(24)
    .meta({ step: 1, description: 'bars of log returns in the realized volatility' }),
  regimeWindow: z
    .number()
    .int()
    .min(10)
    .max(5000)
    .default(288)
    .meta({ step: 12, description: 'bars of realized volatility averaged into the baseline' }),
  threshold: z
    .number()
    .min(0.2)
    .max(5)
    .default(1)
    .meta({ step: 0.05, description: 'calm regime while realized / baseline volatility is below this' }),
  trendPeriod: z
    .number()
    .int()
    .min(2)
    .max(1000)
    .default(48)
    .meta({ step: 1, description: 'SMA period of the trend filter used in the calm regime' }),
});

export type VolRegimeParams = z.infer<typeof paramsSchema>;

interface SymbolState {
  prevClose: number;
  readonly returns: RollingWindow;
  readonly vols: RollingWindow;
  readonly sma: RollingSma;
}

/**
 * Volatility regime filter, long or flat. Realized volatility (population standard
 * deviation of the last `volWindow` log returns) is compared with its own average over
 * `regimeWindow` bars. In the calm regime (ratio below `threshold`) it follows the trend:
 * long while the close is above its SMA. In the turbulent regime it stands aside, selling
 * everything: trends in calm markets persist, breakouts in wild ones mostly reverse.
 */
export class VolRegime extends Strategy<VolRegimeParams> {
  static readonly id = 'vol-regime';
  static readonly description =
    'Volatility regime: trend-follow (close > SMA) while realized vol is below its average, else flat';
  static readonly paramsSchema = paramsSchema;

  private readonly state = new PerSymbol<SymbolState>(() => ({
    prevClose: Number.NaN,
    returns: new RollingWindow(this.params.volWindow),
    vols: new RollingWindow(this.params.regimeWindow),
    sma: new RollingSma(this.params.trendPeriod),
  }));

  override onBar(bar: Bar): void {
    const s = this.state.of(bar.symbol);
    const sma = s.sma.update(bar.close);
    if (!Number.isNaN(s.prevClose)) s.returns.push(Math.log(bar.close / s.prevClose));
    s.prevClose = bar.close;
    if (!s.returns.full) return;
    const vol = stdev(s.returns.values());
    s.vols.push(vol);
    if (!s.vols.full || Number.isNaN(sma)) return;
    const ratio = vol / mean(s.vols.values());
    const calm = ratio < this.params.threshold;
    followLongFlat(
      this.ctx,
      bar.symbol,
      calm && bar.close > sma ? 'long' : !calm || bar.close < sma ? 'flat' : undefined,
    );
  }
}
