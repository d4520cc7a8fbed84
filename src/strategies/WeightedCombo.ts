import { z } from 'zod';
import type { Bar } from '../model/Bar.js';
import { EMA, MACD, RSI, RollingSma } from '../strategy/indicators.js';
import { SignalWeights } from '../strategy/SignalWeights.js';
import { PerSymbol } from '../strategy/PerSymbol.js';
import { Strategy } from '../strategy/Strategy.js';
import { followLongFlat } from '../strategy/followLongFlat.js';

const paramsSchema = z
  .object({
    fast: z
      .number()
      .int()
      .min(2)
      .max(200)
      .default(10)
      .meta({ step: 1, description: 'trend member: fast SMA period' }),
    slow: z
      .number()
      .int()
      .min(3)
      .max(500)
      .default(30)
      .meta({ step: 1, description: 'trend member: slow SMA period' }),
    rsiPeriod: z
      .number()
      .int()
      .min(2)
      .max(100)
      .default(14)
      .meta({ step: 1, description: 'reversion member: RSI period' }),
    oversold: z
      .number()
      .min(5)
      .max(50)
      .default(30)
      .meta({ step: 1, description: 'reversion member: long from RSI below this until RSI above 50' }),
    window: z
      .number()
      .int()
      .min(10)
      .max(2000)
      .default(96)
      .meta({ step: 12, description: 'bars of virtual returns the weights are computed from' }),
    sensitivity: z
      .number()
      .min(0)
      .max(200)
      .default(20)
      .meta({ step: 1, description: 'weight = max(0, 1 + sensitivity × recent virtual return)' }),
    correlationPenalty: z
      .number()
      .min(0)
      .max(10)
      .default(1)
      .meta({ step: 0.1, description: 'weight ÷ (1 + penalty × mean positive correlation with the others)' }),
    maxDrawdown: z.number().min(0.001).max(0.5).default(0.03).meta({
      step: 0.005,
      description: 'circuit breaker: a member this far below its virtual peak is switched off',
    }),
    cooldown: z
      .number()
      .int()
      .min(1)
      .max(5000)
      .default(144)
      .meta({ step: 12, description: 'bars a tripped member stays switched off' }),
    enter: z
      .number()
      .min(0.05)
      .max(1)
      .default(0.6)
      .meta({ step: 0.05, description: 'buy when the weighted signal reaches this' }),
    exit: z
      .number()
      .min(0)
      .max(0.95)
      .default(0.4)
      .meta({ step: 0.05, description: 'sell when the weighted signal falls to this' }),
  })
  .refine((p) => p.fast < p.slow, { message: 'fast must be smaller than slow', path: ['fast'] })
  .refine((p) => p.exit < p.enter, { message: 'exit must be below enter', path: ['exit'] });

export type WeightedComboParams = z.infer<typeof paramsSchema>;

interface SymbolState {
  readonly fast: RollingSma;
  readonly slow: RollingSma;
  readonly macd: MACD;
  readonly rsi: RSI;
  readonly weights: SignalWeights;
  reversionLong: boolean;
  prevClose: number;
}

/**
 * Weighted combination, long or flat: a meta-strategy over three members — trend (fast
 * SMA above slow), momentum (MACD(12,26,9) line above its signal) and reversion (long
 * from an RSI below `oversold` until it recovers above 50). Each member's wish (0 or 1)
 * is weighted by SignalWeights: recent virtual performance, a penalty for moving with
 * the others, and a per-member circuit breaker. The weighted signal Σwᵢxᵢ/Σwᵢ at or
 * above `enter` buys; at or below `exit` sells everything; in between holds.
 */
export class WeightedCombo extends Strategy<WeightedComboParams> {
  static readonly id = 'weighted-combo';
  static readonly description =
    'Weighted combo: trend, momentum and reversion members with dynamic weights, correlation penalty and circuit breakers';
  static readonly paramsSchema = paramsSchema;

  private readonly state = new PerSymbol<SymbolState>(() => {
    const p = this.params;
    return {
      fast: new RollingSma(p.fast),
      slow: new RollingSma(p.slow),
      macd: new MACD(new EMA(12), new EMA(26), new EMA(9)),
      rsi: new RSI(p.rsiPeriod),
      weights: new SignalWeights(3, p),
      reversionLong: false,
      prevClose: Number.NaN,
    };
  });

  override onBar(bar: Bar): void {
    const p = this.params;
    const s = this.state.of(bar.symbol);
    const fast = s.fast.update(bar.close);
    const slow = s.slow.update(bar.close);
    const m = s.macd.add(bar.close);
    const rsi = s.rsi.add(bar.close);
    if (rsi !== null && rsi < p.oversold) s.reversionLong = true;
    else if (rsi !== null && rsi > 50) s.reversionLong = false;
    const ret = Number.isNaN(s.prevClose) ? 0 : bar.close / s.prevClose - 1;
    s.prevClose = bar.close;
    const wishes = [
      fast > slow ? 1 : 0,
      m !== null && s.macd.signal.isStable && m.macd > m.signal ? 1 : 0,
      s.reversionLong ? 1 : 0,
    ];
    const score = s.weights.update(ret, wishes);
    if (Number.isNaN(slow) || !s.macd.signal.isStable) return;
    followLongFlat(this.ctx, bar.symbol, score >= p.enter ? 'long' : score <= p.exit ? 'flat' : undefined);
  }
}
