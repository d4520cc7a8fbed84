import type { Bar } from '../model/Bar.js';
import type { CrossSectionSnapshot } from '../strategy/CrossSection.js';
import { GONE_AFTER_PERIODS, TimedCrossSection } from '../strategy/TimedCrossSection.js';
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

/** The alarm that closes a period some live symbol sent no bar for. */
const CLOSE_ALARM = 'rebalancing:close-period';

/**
 * Shared machinery of the multi-symbol strategies that hold a basket: bars are gathered
 * into cross-sections (one per period, every symbol at once), each symbol keeps a window
 * of its last `lookback + 1` bars (a symbol missing from a period repeats its last bar, so
 * every window covers the same periods), and every `rebalanceEvery` periods the subclass
 * names target weights, which rebalanceToWeights then reaches over the following periods
 * (sells first, buys once sales have settled).
 *
 * Results never depend on the order the symbols were configured in: the universe is
 * taken in symbol order, and a period is closed either by the last live symbol's bar or,
 * when a live symbol sent none, by an alarm half a bar after the period's end, before any
 * bar of the next period is known (never by whichever symbol's next bar happens to come
 * first). A symbol silent for GONE_AFTER_PERIODS periods is gone: the periods close
 * without it, it is neither ranked nor traded, and its open orders are canceled, since
 * they could never fill and would hold every later rebalance back. A holding in it is
 * left as it is (it cannot be sold without a market). Its next bar brings it back.
 */
export abstract class RebalancingStrategy<P extends RebalancingParams> extends Strategy<P> {
  private cross: TimedCrossSection | undefined;
  /** The configured symbols in symbol order, and those of them not gone. */
  private universe: readonly string[] = [];
  private live: readonly string[] = [];
  private gone: ReadonlySet<string> = new Set();
  /** onPeriod as the cross-section's callback, made once rather than per bar. */
  private readonly period = (snap: CrossSectionSnapshot): void => this.onPeriod(snap);
  /** Per symbol, the last `lookback + 1` bars' closes, volumes and opens. */
  protected readonly closes = new Map<string, RollingWindow>();
  protected readonly volumes = new Map<string, RollingWindow>();
  protected readonly opens = new Map<string, RollingWindow>();
  private readonly lastBar = new Map<string, Bar>();
  private periods = 0;
  private pending: ReadonlyMap<string, number> | undefined;

  /** Target weights (fractions of the invested part, summing to at most 1); undefined = keep holdings. */
  protected abstract targets(ts: number): ReadonlyMap<string, number> | undefined;

  /** The symbols a decision ranks and trades: the configured ones not gone, in symbol order. */
  protected get liveSymbols(): readonly string[] {
    return this.live;
  }

  override onBar(bar: Bar): void {
    (this.cross ??= this.crossSection()).add(bar, this.period);
  }

  /** Closes a period a live symbol sent no bar for (a subclass overriding onTimer calls this first). */
  override onTimer(name: string, _ts: number): void {
    this.cross?.onTimer(name, this.period);
  }

  private crossSection(): TimedCrossSection {
    this.universe = [...this.ctx.symbols].sort();
    this.live = this.universe;
    return new TimedCrossSection(this.ctx, this.universe, CLOSE_ALARM);
  }

  private onPeriod(snap: CrossSectionSnapshot): void {
    this.updateGone(snap);
    const n = this.params.lookback + 1;
    for (const symbol of this.universe) {
      const bar = snap.bars.get(symbol) ?? this.lastBar.get(symbol);
      if (bar === undefined) continue;
      this.lastBar.set(symbol, bar);
      push(this.closes, symbol, n, bar.close);
      push(this.opens, symbol, n, bar.open);
      // A repeated bar traded nothing in this period.
      push(this.volumes, symbol, n, snap.bars.has(symbol) ? bar.volume : 0);
    }
    this.periods += 1;
    const ready = this.live.every((s) => this.closes.get(s)?.full === true);
    if (ready && this.periods % this.params.rebalanceEvery === 0) {
      const t = this.targets(snap.ts);
      if (t !== undefined) {
        const scaled = new Map<string, number>();
        for (const [s, w] of t) scaled.set(s, w * this.params.investFraction);
        this.pending = scaled;
      }
    }
    if (this.pending !== undefined && rebalanceToWeights(this.ctx, this.live, this.pending) === 'done')
      this.pending = undefined;
  }

  private updateGone(snap: CrossSectionSnapshot): void {
    const gone = snap.gone;
    if (gone === this.gone) return;
    for (const symbol of gone) {
      if (this.gone.has(symbol)) continue;
      this.ctx.log.warn(
        `${symbol} has had no bar for ${GONE_AFTER_PERIODS} periods: no longer ranked or traded, its open orders canceled`,
        { symbol, ts: snap.ts },
      );
      this.ctx.cancelAll(symbol);
    }
    for (const symbol of this.gone)
      if (!gone.has(symbol))
        this.ctx.log.info(`${symbol} has bars again: ranked and traded again`, { symbol });
    this.gone = gone;
    this.live = this.universe.filter((s) => !gone.has(s));
  }

  /** A score for every live symbol, in symbol order (ties rank in it). */
  protected scoreEach(score: (symbol: string) => number): Map<string, number> {
    return new Map(this.live.map((s) => [s, score(s)] as const));
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
