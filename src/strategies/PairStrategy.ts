import type { Bar } from '../model/Bar.js';
import { CrossSection } from '../strategy/CrossSection.js';
import { Strategy } from '../strategy/Strategy.js';

/**
 * Shared feed of the strategies that trade two legs of one relationship (a pair, or one
 * asset on two venues): the first two configured symbols, A and B. Their bars are paired
 * per period; a leg missing from a period repeats its last bar, so a quiet leg never
 * stalls the spread. With fewer than two symbols the strategy logs why and never trades.
 */
export abstract class PairStrategy<P> extends Strategy<P> {
  private cross: CrossSection | undefined;
  /** A and B, once started with two symbols. */
  protected legs: readonly [string, string] | undefined;
  private readonly last = new Map<string, Bar>();

  /** One period of both legs, oldest first; `a` and `b` may be repeats of earlier bars. */
  protected abstract onPair(a: Bar, b: Bar): void;

  override onStart(): void {
    super.onStart();
    const [a, b] = this.ctx.symbols;
    if (a === undefined || b === undefined) {
      const id = (this.constructor as { readonly id?: string }).id ?? 'this strategy';
      this.ctx.log.error(`${id} needs two symbols; it will not trade`, { symbols: this.ctx.symbols });
      return;
    }
    this.legs = [a, b];
    this.cross = new CrossSection([a, b]);
  }

  override onBar(bar: Bar): void {
    if (!this.cross || !this.legs) return;
    const [a, b] = this.legs;
    for (const snap of this.cross.add(bar)) {
      const barA = snap.bars.get(a) ?? this.last.get(a);
      const barB = snap.bars.get(b) ?? this.last.get(b);
      if (!barA || !barB) continue;
      this.last.set(a, barA);
      this.last.set(b, barB);
      this.onPair(barA, barB);
    }
  }
}
