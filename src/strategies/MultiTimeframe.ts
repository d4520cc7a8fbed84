import { z } from 'zod';
import { QtsError } from '../core/QtsError.js';
import { timeframeToMs } from '../core/time.js';
import type { Bar } from '../model/Bar.js';
import { CrossOver } from '../strategy/CrossOver.js';
import { EMA, RSI } from '../strategy/indicators.js';
import { PerSymbol } from '../strategy/PerSymbol.js';
import { Strategy } from '../strategy/Strategy.js';
import { followLongFlat } from '../strategy/followLongFlat.js';

const paramsSchema = z
  .object({
    higherTimeframe: z
      .string()
      .regex(/^[1-9]\d*[mhdw]$/, 'expected a timeframe such as 1h or 4h')
      .default('1h')
      .meta({ description: 'timeframe of the trend filter, a whole multiple of the primary one' }),
    fast: z
      .number()
      .int()
      .min(2)
      .max(100)
      .default(8)
      .meta({ step: 1, description: 'fast EMA of higher-timeframe closes' }),
    slow: z
      .number()
      .int()
      .min(3)
      .max(300)
      .default(21)
      .meta({ step: 1, description: 'slow EMA of higher-timeframe closes' }),
    rsiPeriod: z
      .number()
      .int()
      .min(2)
      .max(100)
      .default(14)
      .meta({ step: 1, description: 'RSI period on the primary timeframe' }),
    entryRsi: z.number().min(5).max(60).default(40).meta({
      step: 1,
      description: 'buy when the primary RSI crosses up through this level (a pullback ends)',
    }),
    exitRsi: z
      .number()
      .min(50)
      .max(95)
      .default(70)
      .meta({ step: 1, description: 'sell when the primary RSI rises above this level' }),
  })
  .refine((p) => p.fast < p.slow, { message: 'fast must be smaller than slow', path: ['fast'] })
  .refine((p) => p.entryRsi < p.exitRsi, { message: 'entryRsi must be below exitRsi', path: ['entryRsi'] });

export type MultiTimeframeParams = z.infer<typeof paramsSchema>;

interface SymbolState {
  readonly fast: EMA;
  readonly slow: EMA;
  readonly rsi: RSI;
  readonly cross: CrossOver;
  /** Higher-timeframe trend as of the last closed higher bar. */
  up: boolean;
}

/**
 * Multi-timeframe confluence, long or flat: trade the primary timeframe only in the
 * direction of the higher one. The higher bars (built by the engine from the primary
 * ones) give the trend: up while their fast EMA is above the slow one, both stable. On
 * the primary bars, an RSI crossing up through `entryRsi` while the trend is up buys (a
 * pullback inside an uptrend ending); the RSI above `exitRsi` or the trend turning sells.
 * A primary bar sees the higher bars closed before it ends, never the one it completes.
 */
export class MultiTimeframe extends Strategy<MultiTimeframeParams> {
  static readonly id = 'multi-timeframe';
  static readonly description =
    'Multi-timeframe confluence: higher-timeframe EMA trend filter, primary-timeframe RSI pullback entries';
  static readonly paramsSchema = paramsSchema;

  private readonly state = new PerSymbol<SymbolState>(() => {
    const p = this.params;
    return {
      fast: new EMA(p.fast),
      slow: new EMA(p.slow),
      rsi: new RSI(p.rsiPeriod),
      cross: new CrossOver(),
      up: false,
    };
  });

  override onStart(): void {
    // Bars of the primary timeframe would all be taken for higher ones: the trend would be
    // computed from every bar and the strategy would never trade, silently.
    if (timeframeToMs(this.params.higherTimeframe) <= timeframeToMs(this.ctx.timeframe))
      throw new QtsError(
        'ERR_INVALID_PARAMS',
        `invalid parameters for multi-timeframe: higherTimeframe ${this.params.higherTimeframe} must be longer than the primary timeframe ${this.ctx.timeframe}`,
      );
    super.onStart();
    for (const symbol of this.ctx.symbols) this.ctx.subscribeBars(symbol, this.params.higherTimeframe);
  }

  override onBar(bar: Bar): void {
    const s = this.state.of(bar.symbol);
    if (bar.timeframe === this.params.higherTimeframe) {
      const fast = s.fast.add(bar.close);
      const slow = s.slow.add(bar.close);
      s.up = s.slow.isStable && fast !== null && slow !== null && fast > slow;
      return;
    }
    const rsi = s.rsi.add(bar.close) ?? Number.NaN;
    const crossedUp = s.cross.update(rsi, this.params.entryRsi) > 0;
    const signal = !s.up || rsi > this.params.exitRsi ? 'flat' : crossedUp ? 'long' : undefined;
    followLongFlat(this.ctx, bar.symbol, signal);
  }
}
