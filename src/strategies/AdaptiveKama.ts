import { z } from 'zod';
import type { Bar } from '../model/Bar.js';
import { RollingWindow } from '../strategy/RollingWindow.js';
import { PerSymbol } from '../strategy/PerSymbol.js';
import { Strategy } from '../strategy/Strategy.js';
import { followLongFlat } from '../strategy/followLongFlat.js';
import { stdev } from '../strategy/statistics.js';

const paramsSchema = z
  .object({
    erPeriod: z
      .number()
      .int()
      .min(2)
      .max(200)
      .default(10)
      .meta({ step: 1, description: 'bars of the efficiency ratio that adapts the smoothing' }),
    fast: z
      .number()
      .int()
      .min(1)
      .max(50)
      .default(2)
      .meta({ step: 1, description: 'EMA period used when the market trends perfectly (ER = 1)' }),
    slow: z
      .number()
      .int()
      .min(5)
      .max(500)
      .default(30)
      .meta({ step: 1, description: 'EMA period used when the market is pure noise (ER = 0)' }),
    filter: z.number().min(0).max(5).default(0.5).meta({
      step: 0.1,
      description: 'band around the average, in standard deviations of its last erPeriod changes',
    }),
  })
  .refine((p) => p.fast < p.slow, { message: 'fast must be smaller than slow', path: ['fast'] });

export type AdaptiveKamaParams = z.infer<typeof paramsSchema>;

interface SymbolState {
  readonly closes: RollingWindow;
  readonly changes: RollingWindow;
  kama: number;
}

/**
 * Adaptive parameters, long or flat: Kaufman's Adaptive Moving Average, whose smoothing
 * period moves between `fast` and `slow` with the efficiency ratio ER = |net change| /
 * Σ|bar changes| over `erPeriod` bars — fast in clean trends, nearly frozen in noise —
 * so the one setting fits both regimes instead of being re-optimized for each. With
 * Kaufman's filter: buy when the close is above KAMA by more than `filter` standard
 * deviations of KAMA's last `erPeriod` changes, sell when it is that far below.
 * KAMA_t = KAMA_{t−1} + sc² (close − KAMA_{t−1}), sc = ER (2/(fast+1) − 2/(slow+1)) + 2/(slow+1),
 * seeded with the close of the bar where the first full ER window exists.
 */
export class AdaptiveKama extends Strategy<AdaptiveKamaParams> {
  static readonly id = 'adaptive';
  static readonly description =
    "Adaptive parameters: Kaufman's adaptive moving average (smoothing set by the efficiency ratio) with a volatility filter";
  static readonly paramsSchema = paramsSchema;

  private readonly state = new PerSymbol<SymbolState>(() => {
    const n = this.params.erPeriod;
    return { closes: new RollingWindow(n + 1), changes: new RollingWindow(n), kama: Number.NaN };
  });

  override onBar(bar: Bar): void {
    const s = this.state.of(bar.symbol);
    s.closes.push(bar.close);
    if (!s.closes.full) return;
    if (Number.isNaN(s.kama)) {
      s.kama = bar.close;
      return;
    }
    const n = this.params.erPeriod;
    let noise = 0;
    for (let i = 1; i <= n; i++) noise += Math.abs(s.closes.at(i) - s.closes.at(i - 1));
    const er = noise === 0 ? 1 : Math.abs(bar.close - s.closes.at(0)) / noise;
    const fastSc = 2 / (this.params.fast + 1);
    const slowSc = 2 / (this.params.slow + 1);
    const sc = (er * (fastSc - slowSc) + slowSc) ** 2;
    const next = s.kama + sc * (bar.close - s.kama);
    s.changes.push(next - s.kama);
    s.kama = next;
    if (!s.changes.full) return;
    const band = this.params.filter * stdev(s.changes.values());
    const signal = bar.close > next + band ? 'long' : bar.close < next - band ? 'flat' : undefined;
    followLongFlat(this.ctx, bar.symbol, signal);
  }
}
