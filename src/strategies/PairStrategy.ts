import type { Bar } from '../model/Bar.js';
import type { CrossSectionSnapshot } from '../strategy/CrossSection.js';
import { Strategy } from '../strategy/Strategy.js';
import { GONE_AFTER_PERIODS, TimedCrossSection } from '../strategy/TimedCrossSection.js';
import { rebalanceToWeights } from './rebalanceToWeights.js';

/** The alarm that closes a period one leg sent no bar for. */
const CLOSE_ALARM = 'pair:close-period';

const FLAT: ReadonlyMap<string, number> = new Map();

/**
 * Shared feed of the strategies that trade two legs of one relationship (a pair, or one
 * asset on two venues): A and B, the first two configured symbols in symbol order, so the
 * order the symbols (or data files) were given in cannot change a run. Their bars are
 * paired per period; a leg missing from a period repeats its last bar, so a quiet leg
 * never stalls the spread. A period is closed by the second leg's bar or, when one sent
 * none, by an alarm half a bar after the period's end (before any bar of the next period
 * is known). With fewer than two symbols the strategy logs why and never trades.
 *
 * A leg silent for GONE_AFTER_PERIODS periods while the other trades is gone (its data
 * ended, its market halted or was delisted). A pair cannot be traded one-legged, and a
 * spread against a frozen price is no signal, so the pair winds down: the strategy warns
 * once, cancels its open orders in both legs (an order in the gone leg could never fill
 * and would hold every later order back), sells what it holds of the leg that still
 * trades, and takes no new position. A holding in the gone leg is left as it is (it cannot
 * be sold without a market) until the leg is back. When the gone leg has bars again, what
 * is left of either leg is sold, and the pair then starts over: its statistics describe a
 * market that has since been away, so the subclass is reset and rebuilds them from the
 * periods after the return, as at the start of a run.
 */
export abstract class PairStrategy<P> extends Strategy<P> {
  private cross: TimedCrossSection | undefined;
  /** A and B, once started with two symbols. */
  protected legs: readonly [string, string] | undefined;
  private readonly last = new Map<string, Bar>();
  /** onPeriod as the cross-section's callback, made once rather than per bar. */
  private readonly period = (snap: CrossSectionSnapshot): void => this.onPeriod(snap);
  private gone: ReadonlySet<string> = new Set();
  /** Winding the pair down: since a leg went, until both trade again and both are sold. */
  private closing = false;

  /** One period of both legs, oldest first; `a` and `b` may be repeats of earlier bars. */
  protected abstract onPair(a: Bar, b: Bar): void;

  /** Forgets every statistic and intended position: the pair starts over, as at the start of a run. */
  protected abstract reset(): void;

  override onStart(): void {
    super.onStart();
    const [a, b, ...rest] = [...this.ctx.symbols].sort();
    const id = (this.constructor as { readonly id?: string }).id ?? 'this strategy';
    if (a === undefined || b === undefined) {
      this.ctx.log.error(`${id} needs two symbols; it will not trade`, { symbols: this.ctx.symbols });
      return;
    }
    if (rest.length > 0)
      this.ctx.log.warn(`${id} trades one pair, ${a} and ${b} (first in symbol order); ignoring the rest`, {
        ignored: rest,
      });
    this.legs = [a, b];
    this.cross = new TimedCrossSection(this.ctx, [a, b], CLOSE_ALARM);
  }

  override onBar(bar: Bar): void {
    this.cross?.add(bar, this.period);
  }

  /** Closes a period a leg sent no bar for (a subclass overriding onTimer calls this first). */
  override onTimer(name: string, _ts: number): void {
    this.cross?.onTimer(name, this.period);
  }

  private onPeriod(snap: CrossSectionSnapshot): void {
    const [a, b] = this.legs as readonly [string, string];
    this.updateGone(snap);
    const barA = snap.bars.get(a) ?? this.last.get(a);
    const barB = snap.bars.get(b) ?? this.last.get(b);
    if (barA) this.last.set(a, barA);
    if (barB) this.last.set(b, barB);
    if (this.closing) {
      // The gone leg is left out: it has no market, and its canceled orders cannot hold the sale back.
      const live = [a, b].filter((s) => !this.gone.has(s));
      if (rebalanceToWeights(this.ctx, live, FLAT) === 'done' && this.gone.size === 0) this.closing = false;
      return;
    }
    if (barA && barB) this.onPair(barA, barB);
  }

  private updateGone(snap: CrossSectionSnapshot): void {
    const gone = snap.gone;
    if (gone === this.gone) return;
    const [a, b] = this.legs as readonly [string, string];
    for (const symbol of gone) {
      if (this.gone.has(symbol)) continue;
      this.ctx.log.warn(
        `${symbol} has had no bar for ${GONE_AFTER_PERIODS} periods: the pair of ${a} and ${b} is closed and not traded, its open orders canceled`,
        { symbol, ts: snap.ts },
      );
      if (this.closing) {
        this.ctx.cancelAll(symbol); // a sale of it, sent while the other leg was away
        continue;
      }
      this.ctx.cancelAll(a);
      this.ctx.cancelAll(b);
      this.reset();
      this.closing = true;
    }
    for (const symbol of this.gone)
      if (!gone.has(symbol))
        this.ctx.log.info(`${symbol} has bars again: the pair of ${a} and ${b} starts over`, {
          symbol,
          ts: snap.ts,
        });
    this.gone = gone;
  }
}
