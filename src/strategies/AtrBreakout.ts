import { z } from 'zod';
import type { Bar } from '../model/Bar.js';
import { ATR } from '../strategy/indicators.js';
import { PerSymbol } from '../strategy/PerSymbol.js';
import { Strategy } from '../strategy/Strategy.js';
import { followLongFlat } from '../strategy/followLongFlat.js';

const paramsSchema = z.object({
  period: z
    .number()
    .int()
    .min(2)
    .max(200)
    .default(14)
    .meta({ step: 1, description: "ATR period (bars, Wilder's smoothing)" }),
  k: z
    .number()
    .min(0)
    .max(10)
    .default(1)
    .meta({ step: 0.1, description: 'breakout distance above the previous high, in ATRs' }),
  trail: z
    .number()
    .min(0.5)
    .max(20)
    .default(3)
    .meta({ step: 0.5, description: 'trailing stop below the highest close since entry, in ATRs' }),
});

export type AtrBreakoutParams = z.infer<typeof paramsSchema>;

interface SymbolState {
  readonly atr: ATR;
  prev: Bar | undefined;
  /** ATR as of the previous bar: the volatility known before this bar's move. */
  prevAtr: number;
  /** Highest close since the entry signal; NaN while flat. */
  peak: number;
}

/**
 * Volatility breakout, long or flat: a close above the previous bar's high by more than
 * `k` ATRs (ATR measured up to the previous bar, so the breakout bar does not widen its
 * own threshold) buys; a close more than `trail` ATRs below the highest close since the
 * entry (a chandelier stop) sells everything. Nothing before the ATR has `period` bars.
 */
export class AtrBreakout extends Strategy<AtrBreakoutParams> {
  static readonly id = 'atr-breakout';
  static readonly description =
    'ATR breakout: buy a close above the previous high + k×ATR, exit on a trailing ATR stop';
  static readonly paramsSchema = paramsSchema;

  private readonly state = new PerSymbol<SymbolState>(() => ({
    atr: new ATR(this.params.period),
    prev: undefined,
    prevAtr: Number.NaN,
    peak: Number.NaN,
  }));

  override onBar(bar: Bar): void {
    const s = this.state.of(bar.symbol);
    const atr = s.atr.add({ high: bar.high, low: bar.low, close: bar.close }) ?? Number.NaN;
    let signal: 'long' | 'flat' | undefined;
    if (s.prev !== undefined && !Number.isNaN(s.prevAtr)) {
      if (Number.isNaN(s.peak)) {
        if (bar.close > s.prev.high + this.params.k * s.prevAtr) {
          signal = 'long';
          s.peak = bar.close;
        }
      } else {
        s.peak = Math.max(s.peak, bar.close);
        if (bar.close < s.peak - this.params.trail * s.prevAtr) {
          signal = 'flat';
          s.peak = Number.NaN;
        }
      }
    }
    s.prev = bar;
    s.prevAtr = atr;
    followLongFlat(this.ctx, bar.symbol, signal);
  }
}
