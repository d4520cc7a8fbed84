import type { Bar } from '../model/Bar.js';
import type { CrossSectionSnapshot } from '../strategy/CrossSection.js';
import { CrossSection } from '../strategy/CrossSection.js';
import { RollingWindow } from '../strategy/RollingWindow.js';
import { Strategy } from '../strategy/Strategy.js';
import { rankDescending } from '../strategy/statistics.js';
import { rebalanceToWeights } from './rebalanceToWeights.js';

/** Parameters every rebalancing strategy has. */
export interface RebalancingParams {
  /** Bars each decision looks back over (its window holds `lookback + 1` closes). */
  readonly lookback: number;
  /** Decide new targets every this many periods (cross-sections). */
  readonly rebalanceEvery: number;
  /** Fraction of equity invested across the targets (the rest stays cash for fees and gaps). */
  readonly investFraction: number;
}

/**
 * Shared machinery of the multi-symbol strategies that hold a basket: bars are gathered
 * into cross-sections (one per period, every symbol at once), each symbol keeps a window
 * of its last `lookback + 1` bars (a symbol missing from a period repeats its last bar, so
 * every window covers the same periods), and every `rebalanceEvery` periods the subclass
 * names target weights, which rebalanceToWeights then reaches over the following periods
 * (sells first, buys once sales have settled).
 */
export abstract class RebalancingStrategy<P extends RebalancingParams> extends Strategy<P> {
  private cross: CrossSection | undefined;
  /** Per symbol, the last `lookback + 1` bars' closes, volumes and opens. */
  protected readonly closes = new Map<string, RollingWindow>();
  protected readonly volumes = new Map<string, RollingWindow>();
  protected readonly opens = new Map<string, RollingWindow>();
  private readonly lastBar = new Map<string, Bar>();
  private periods = 0;
  private pending: ReadonlyMap<string, number> | undefined;

  /** Target weights (fractions of the invested part, summing to at most 1); undefined = keep holdings. */
  protected abstract targets(ts: number): ReadonlyMap<string, number> | undefined;

  override onBar(bar: Bar): void {
    this.cross ??= new CrossSection(this.ctx.symbols);
    for (const snap of this.cross.add(bar)) this.onPeriod(snap);
  }

  private onPeriod(snap: CrossSectionSnapshot): void {
    const n = this.params.lookback + 1;
    for (const symbol of this.ctx.symbols) {
      const bar = snap.bars.get(symbol) ?? this.lastBar.get(symbol);
      if (bar === undefined) continue;
      this.lastBar.set(symbol, bar);
      push(this.closes, symbol, n, bar.close);
      push(this.opens, symbol, n, bar.open);
      // A repeated bar traded nothing in this period.
      push(this.volumes, symbol, n, snap.bars.has(symbol) ? bar.volume : 0);
    }
    this.periods += 1;
    const ready = this.ctx.symbols.every((s) => this.closes.get(s)?.full === true);
    if (ready && this.periods % this.params.rebalanceEvery === 0) {
      const t = this.targets(snap.ts);
      if (t !== undefined) {
        const scaled = new Map<string, number>();
        for (const [s, w] of t) scaled.set(s, w * this.params.investFraction);
        this.pending = scaled;
      }
    }
    if (this.pending !== undefined && rebalanceToWeights(this.ctx, this.ctx.symbols, this.pending) === 'done')
      this.pending = undefined;
  }

  /** A score for every symbol of the universe, in the universe's order (ties rank in it). */
  protected scoreEach(score: (symbol: string) => number): Map<string, number> {
    return new Map(this.ctx.symbols.map((s) => [s, score(s)] as const));
  }

  /** Return of a symbol's close over its whole window (last / first − 1). */
  protected windowReturn(symbol: string): number {
    const w = this.closes.get(symbol);
    return w === undefined ? Number.NaN : w.last() / w.at(0) - 1;
  }
}

/** The `slots` best-scored symbols (NaN scores never), each 1/slots of the basket; a slot `keep` refuses stays cash. */
export function topEqualWeights(
  scores: ReadonlyMap<string, number>,
  slots: number,
  keep: (symbol: string) => boolean = () => true,
): Map<string, number> {
  const picked = rankDescending(scores).slice(0, slots).filter(keep);
  return new Map(picked.map((s) => [s, 1 / slots] as const));
}

function push(map: Map<string, RollingWindow>, symbol: string, size: number, x: number): void {
  let w = map.get(symbol);
  if (!w) {
    w = new RollingWindow(size);
    map.set(symbol, w);
  }
  w.push(x);
}
