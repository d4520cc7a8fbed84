import type { TestClock } from '../kernel/Clock.js';
import type { Bar } from '../model/Bar.js';
import type { BarSeries } from '../model/BarSeries.js';
import { seriesBarAt } from '../model/BarSeries.js';
import type { TradingNode } from '../node/TradingNode.js';
import type { SimulatedVenue } from '../sim/SimulatedVenue.js';
import type { FuturesRun } from './FuturesRun.js';
import type { EquityCurve } from './types.js';

/** How often (in bars, a power of two) the loop reports its progress. */
const PROGRESS_EVERY = 1 << 16;

/** Every bar of one series through the loop, in order. */
export function replaySingle(s: BarSeries, loop: BarLoop): void {
  for (let i = 0; i < s.length; i++) loop.step(seriesBarAt(s, i));
}

/** Bars of a streamed series are awaited this many at a time. */
const ARRIVAL_BLOCK = 4096;

/** Every bar of one series whose bars are still arriving: each block once `awaitBars` has it. */
export function replayArriving(s: BarSeries, loop: BarLoop, awaitBars: (count: number) => void): void {
  for (let start = 0; start < s.length; start += ARRIVAL_BLOCK) {
    const end = Math.min(s.length, start + ARRIVAL_BLOCK);
    awaitBars(end);
    for (let i = start; i < end; i++) loop.step(seriesBarAt(s, i));
  }
}

/**
 * What the engine does with each bar of a run, as a method rather than a closure made per run:
 * V8 inlines it into the replay loop, and compiled code that embeds a closure of one run is
 * thrown away when a collection frees that closure ("weak objects"), where a method stays
 * valid for every run.
 */
export class BarLoop {
  barsInMarket = 0;

  constructor(
    private readonly clock: TestClock,
    private readonly venue: SimulatedVenue,
    private readonly node: TradingNode,
    private readonly tape: { barIndex: number },
    private readonly curve: EquityCurve,
    private readonly futures: FuturesRun | undefined,
    private readonly replayTradesUntil: ((until: number) => void) | undefined,
    private readonly onProgress: ((done: number, total: number) => void) | undefined,
    private readonly tfMs: number,
    private readonly total: number,
  ) {}

  step(bar: Bar): void {
    const close = bar.ts + this.tfMs;
    this.replayTradesUntil?.(close);
    // The bar is known at the end of its period; that is when the engine may act on it.
    this.clock.advanceTo(close);
    this.venue.processBar(bar);
    const node = this.node;
    node.onBar(bar);
    const tape = this.tape;
    const curve = this.curve;
    const i = tape.barIndex;
    curve.ts[i] = bar.ts;
    curve.equity[i] = node.portfolio.equity();
    this.futures?.sample(curve.equity[i]);
    if (node.portfolio.hasExposure()) this.barsInMarket++;
    tape.barIndex = i + 1;
    if (this.onProgress && ((i + 1) & (PROGRESS_EVERY - 1)) === 0) this.onProgress(i + 1, this.total);
  }
}
