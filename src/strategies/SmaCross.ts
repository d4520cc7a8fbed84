import { z } from 'zod';
import type { Bar } from '../model/Bar.js';
import { CrossOver } from '../strategy/CrossOver.js';
import { RollingSma } from '../strategy/RollingSma.js';
import { Strategy } from '../strategy/Strategy.js';
import { crossSignal, followLongFlat } from '../strategy/followLongFlat.js';

const paramsSchema = z
  .object({
    fast: z
      .number()
      .int()
      .min(2)
      .max(200)
      .default(10)
      .meta({ step: 1, description: 'fast SMA period (bars)' }),
    slow: z
      .number()
      .int()
      .min(3)
      .max(500)
      .default(30)
      .meta({ step: 1, description: 'slow SMA period (bars)' }),
  })
  .refine((p) => p.fast < p.slow, { message: 'fast must be smaller than slow', path: ['fast'] });

export type SmaCrossParams = z.infer<typeof paramsSchema>;

/**
 * Long/flat trend following: buy when the fast SMA crosses above the slow one, sell
 * everything when it crosses back below. The averages sum each window exactly and the
 * cross is detected as backtrader does, so the orders match backtrader's on the same data.
 */
export class SmaCross extends Strategy<SmaCrossParams> {
  static readonly id = 'sma-cross';
  static readonly description = 'Fast/slow simple moving average crossover, long or flat';
  static readonly paramsSchema = paramsSchema;

  // Not a PerSymbol: its factory is a closure made per strategy instance, which the compiled
  // onBar embeds and loses at every full collection between runs ("weak objects",
  // test/backtest/keptClasses.test.ts fails with it); signalsOf is a method, shared by every run.
  private readonly state = new Map<string, Signals>();
  // Bars come in runs of one symbol (a single-symbol run: always): the last symbol's signals
  // are at hand without a map lookup per bar.
  private lastSymbol = '';
  private last: Signals | undefined;

  // Kept small on purpose: this runs on every bar, and a short method lets the JIT inline the
  // averages into it, so their numbers are never boxed; trading is the rare branch.
  override onBar(bar: Bar): void {
    const symbol = bar.symbol;
    const s = symbol === this.lastSymbol && this.last !== undefined ? this.last : this.signalsOf(symbol);
    const close = bar.close;
    const cross = s.cross.update(s.fast.update(close), s.slow.update(close));
    if (cross !== 0) this.onCross(bar.symbol, cross);
  }

  private signalsOf(symbol: string): Signals {
    let s = this.state.get(symbol);
    if (s === undefined) {
      s = {
        fast: new RollingSma(this.params.fast),
        slow: new RollingSma(this.params.slow),
        cross: new CrossOver(),
      };
      this.state.set(symbol, s);
    }
    this.lastSymbol = symbol;
    this.last = s;
    return s;
  }

  private onCross(symbol: string, cross: number): void {
    followLongFlat(this.ctx, symbol, crossSignal(cross));
  }
}

/** One symbol's averages and their cross. */
interface Signals {
  readonly fast: RollingSma;
  readonly slow: RollingSma;
  readonly cross: CrossOver;
}
