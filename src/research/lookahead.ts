import { runBacktest } from '../backtest/runBacktest.js';
import { formatFixed } from '../core/Fixed.js';
import { QtsError } from '../core/QtsError.js';
import { Rng } from '../core/Rng.js';
import { timeframeToMs } from '../core/time.js';
import { sliceSeries } from '../data/sliceSeries.js';
import type { Bar } from '../model/Bar.js';
import type { OrderEvent } from '../model/events.js';
import type { BarSeries } from '../model/BarSeries.js';
import type { OrderView } from '../model/OrderView.js';
import type { AnyStrategyClass, Strategy } from '../strategy/Strategy.js';
import type { StrategyContext } from '../strategy/StrategyContext.js';
import type { BacktestSettings } from './BacktestSettings.js';
import { backtestConfig } from './BacktestSettings.js';

/**
 * The strategy of a look-ahead check, or a factory given the very series each run sees.
 * The factory exists for tests: a strategy built around its input data can peek at bars
 * it should not know yet, which is exactly what the check must catch.
 */
export type StrategyUnderTest = AnyStrategyClass | ((series: readonly BarSeries[]) => AnyStrategyClass);

/** Options of {@link lookaheadCheck}. */
export interface LookaheadOptions {
  readonly series: readonly BarSeries[];
  readonly strategy: StrategyUnderTest;
  readonly params: Readonly<Record<string, unknown>>;
  readonly settings: BacktestSettings;
  /** Number of random cut points (default 10). */
  readonly cuts?: number;
  /**
   * Cuts right after bars where the full run acted (default 20, 0 for none): a leak shows on
   * the last bar before a cut, so a strategy that trades rarely is only caught where it trades.
   */
  readonly signalCuts?: number;
  /** Seed of the cut points. */
  readonly seed: number;
  /** Cuts are drawn after this many bars of the first series (default 10 % of it, at least 2). */
  readonly minBars?: number;
}

/** The first signal that differs between the full run and a truncated one. */
export interface SignalDifference {
  /** Position in the signal sequence. */
  readonly position: number;
  /** The full run's signal there (null: the truncated run has one more). */
  readonly full: string | null;
  /** The truncated run's signal there (null: it has one fewer). */
  readonly truncated: string | null;
}

/** One cut: the data ended before bar `cutIndex` of the first series. */
export interface CutResult {
  readonly cutIndex: number;
  /** random: drawn with the seed; signal: right after a bar where the full run placed or canceled an order. */
  readonly kind: 'random' | 'signal';
  readonly cutTs: number;
  /** Signals compared (those of the full run before the cut). */
  readonly compared: number;
  readonly difference: SignalDifference | null;
}

/** The outcome of a look-ahead check. */
export interface LookaheadResult {
  readonly strategy: string;
  readonly passed: boolean;
  /** Signals (order events) of the full run. */
  readonly signals: number;
  readonly cuts: readonly CutResult[];
}

/**
 * Proves a strategy does not trade on bars it has not seen yet. It runs once on all the
 * data and again on data truncated at cut points (random ones, and right after bars where the
 * full run placed or canceled an order); a strategy that only looks back
 * makes, up to the last bar before each cut, exactly the signals it made in the full run.
 * Signals are every event of the strategy's orders (created with side, type, quantity and
 * prices; accepted; filled with price and fee; denied; canceled), each with its event time;
 * those the truncated run makes while stopping are left out. The first difference is reported.
 */
export function lookaheadCheck(o: LookaheadOptions): LookaheadResult {
  const primary = o.series[0];
  if (primary === undefined || primary.length < 3)
    throw new QtsError('ERR_LOOKAHEAD_DATA', 'the look-ahead check needs at least 3 bars');
  const cutsWanted = o.cuts ?? 10;
  if (!Number.isSafeInteger(cutsWanted) || cutsWanted < 0)
    throw new QtsError('ERR_INVALID_OPTION', `cuts: need a whole number ≥ 0, got ${cutsWanted}`);
  const signalCutsWanted = o.signalCuts ?? 20;
  if (!Number.isSafeInteger(signalCutsWanted) || signalCutsWanted < 0)
    throw new QtsError('ERR_INVALID_OPTION', `signal cuts: need a whole number ≥ 0, got ${signalCutsWanted}`);
  if (cutsWanted + signalCutsWanted === 0)
    throw new QtsError('ERR_INVALID_OPTION', 'cuts and signal cuts are both 0: nothing would be checked');
  const minBars = Math.max(2, o.minBars ?? Math.floor(primary.length / 10));
  if (minBars >= primary.length)
    throw new QtsError(
      'ERR_LOOKAHEAD_DATA',
      `${primary.length} bars leave no room for cuts after ${minBars}`,
    );

  const full = recordRun(o, o.series);
  const signals = full.filter((e) => e.text !== undefined).length;
  const random = cutPoints(minBars, primary.length, cutsWanted, o.seed);
  const kinds = new Map<number, CutResult['kind']>(random.map((i) => [i, 'random']));
  for (const i of signalCutPoints(full, primary.ts, minBars, signalCutsWanted))
    if (!kinds.has(i)) kinds.set(i, 'signal');
  const cuts: CutResult[] = [];
  for (const cutIndex of [...kinds.keys()].sort((a, b) => a - b)) {
    const cutTs = primary.ts[cutIndex] as number;
    const truncated = recordRun(
      o,
      o.series.map((s) => sliceSeries(s, undefined, cutTs)),
    );
    // What the full run did up to the end of the strategy's last bar that had ended by the cut.
    // Fills at the open of the bar at the cut come after that: they used a price of that bar.
    // A higher-timeframe bar is stamped with its open time but handled when it ends, maybe
    // after the cut: its end, not its stamp, decides (else the fills of the hour after a cut
    // counted as "before" and a clean multi-timeframe strategy failed).
    let end = 0;
    full.forEach((e, k) => {
      if (e.text === undefined && (e.barEnd as number) <= cutTs) end = k + 1;
    });
    const before = texts(full.slice(0, end));
    cuts.push({
      cutIndex,
      kind: kinds.get(cutIndex) as CutResult['kind'],
      cutTs,
      compared: before.length,
      difference: firstDifference(before, texts(truncated)),
    });
  }
  return {
    strategy: classFor(o.strategy, o.series).id,
    passed: cuts.every((c) => c.difference === null),
    signals,
    cuts,
  };
}

function classFor(s: StrategyUnderTest, series: readonly BarSeries[]): AnyStrategyClass {
  return 'paramsSchema' in s ? s : s(series);
}

/** `count` distinct bar indices in [lo, hi), ascending (all of them when there are fewer). */
function cutPoints(lo: number, hi: number, count: number, seed: number): number[] {
  const span = hi - lo;
  if (count === 0) return [];
  if (span <= count) return Array.from({ length: span }, (_, i) => lo + i);
  const rng = new Rng(seed);
  const picked = new Set<number>();
  while (picked.size < count) picked.add(lo + Math.floor(rng.next() * span));
  return [...picked].sort((a, b) => a - b);
}

/**
 * Cuts right after the bars on which the full run placed or canceled an order: the truncated
 * run then ends on that bar, where a strategy reading the next bar decides differently. A
 * random cut only finds such a leak if it happens to fall just after a signal, which for a
 * strategy trading every fortieth bar is one cut in forty (freqtrade's lookahead-analysis
 * cuts at its signals for the same reason). At most `count`, spread evenly over the run.
 */
function signalCutPoints(
  full: readonly Entry[],
  ts: ArrayLike<number>,
  minBars: number,
  count: number,
): number[] {
  const bars = new Set<number>();
  let acted = false;
  for (const e of full) {
    if (e.text !== undefined) {
      if (e.decision === true) acted = true;
    } else if (acted) {
      acted = false;
      // The first bar of the first series opening once the bar the strategy acted on had ended.
      let lo = 0;
      let hi = ts.length;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if ((ts[mid] as number) < (e.barEnd as number)) lo = mid + 1;
        else hi = mid;
      }
      if (lo >= minBars && lo < ts.length) bars.add(lo);
    }
  }
  const all = [...bars].sort((a, b) => a - b);
  if (all.length <= count) return all;
  return Array.from({ length: count }, (_, k) => all[Math.floor((k * all.length) / count)] as number);
}

function firstDifference(full: readonly string[], truncated: readonly string[]): SignalDifference | null {
  const n = Math.max(full.length, truncated.length);
  for (let i = 0; i < n; i++) {
    const a = full[i] ?? null;
    const b = truncated[i] ?? null;
    if (a !== b) return { position: i, full: a, truncated: b };
  }
  return null;
}

/** A signal (its text), or the mark of the strategy having finished with a bar. */
interface Entry {
  readonly text?: string;
  /** The strategy's own decision (an order placed or canceled), not the venue's answer. */
  readonly decision?: boolean;
  /** A mark: when the bar the strategy just handled ended (open time + timeframe). */
  readonly barEnd?: number;
}

function texts(entries: readonly Entry[]): string[] {
  return entries.flatMap((e) => (e.text === undefined ? [] : [e.text]));
}

/**
 * Every order event of one run, as text, and a mark after each bar the strategy handled,
 * through a subclass that listens to the strategy's own handlers.
 */
function recordRun(o: LookaheadOptions, series: readonly BarSeries[]): Entry[] {
  const base = classFor(o.strategy, series);
  const out: Entry[] = [];
  let stopped = false;
  const Base = base as unknown as new (ctx: StrategyContext, params: unknown) => Strategy<unknown>;
  class Recorded extends Base {
    override onBar(bar: Bar): void {
      super.onBar(bar);
      out.push({ barEnd: bar.ts + timeframeToMs(bar.timeframe) });
    }
    override onOrderUpdate(order: OrderView, event: OrderEvent): void {
      if (!stopped)
        out.push({
          text: describe(order, event),
          decision: event.type === 'OrderInitialized' || event.type === 'OrderCanceled',
        });
      super.onOrderUpdate(order, event);
    }
    override onStop(): void {
      stopped = true;
      super.onStop();
    }
  }
  runBacktest(backtestConfig(o.settings, series, Recorded as unknown as AnyStrategyClass, o.params));
  return out;
}

function describe(order: OrderView, e: OrderEvent): string {
  const head = `${e.ts} ${e.type} ${e.orderId} ${e.symbol}`;
  switch (e.type) {
    case 'OrderInitialized': {
      const r = e.request;
      const px = r.price === undefined ? '' : ` @${formatFixed(r.price)}`;
      const trig = r.triggerPrice === undefined ? '' : ` trigger ${formatFixed(r.triggerPrice)}`;
      return `${head} ${r.side} ${r.type} ${formatFixed(r.quantity)}${px}${trig}`;
    }
    case 'OrderFilled':
      return `${head} ${e.side} ${formatFixed(e.lastQty)} @${formatFixed(e.lastPx)} fee ${formatFixed(e.fee)}`;
    case 'OrderDenied':
    case 'OrderRejected':
      return `${head} ${e.code}`;
    case 'OrderCanceled':
      return `${head} ${e.reason}`;
    default:
      return `${head} ${order.side}`;
  }
}
