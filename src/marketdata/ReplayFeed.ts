import type { Bar } from '../model/Bar.js';
import type { BarSeries } from '../model/BarSeries.js';
import { barAt } from '../model/BarSeries.js';
import { mergeByTime } from '../data/mergeByTime.js';

/** Where a paced feed delivers its bars. */
export interface BarSink {
  onBar(bar: Bar): void;
  /** The feed ran out of data. */
  onEnd?(): void;
}

/**
 * Replays candle history as if it were arriving now, at `barsPerSecond` per symbol: the
 * fallback of shadow mode when the exchange cannot be reached, so a machine without
 * internet still runs the whole system. Bars keep their historical timestamps and the
 * status says REPLAY, so nobody mistakes them for the market.
 */
export class ReplayFeed {
  readonly kind = 'replay' as const;
  private readonly order: { seriesIndex: Uint32Array; barIndex: Uint32Array };
  private next = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly series: readonly BarSeries[],
    private readonly sink: BarSink,
    private readonly barsPerSecond: number,
    readonly name = `replay of ${series.map((s) => s.symbol).join(', ')}`,
  ) {
    this.order = mergeByTime(series);
  }

  get remaining(): number {
    return this.order.seriesIndex.length - this.next;
  }

  /** Delivers the next `n` bars (in time order across symbols); returns how many were sent. */
  tick(n = 1): number {
    let sent = 0;
    while (sent < n && this.next < this.order.seriesIndex.length) {
      const s = this.series[this.order.seriesIndex[this.next] as number] as BarSeries;
      this.sink.onBar(barAt(s, this.order.barIndex[this.next] as number));
      this.next++;
      sent++;
    }
    if (this.next >= this.order.seriesIndex.length && sent > 0) this.sink.onEnd?.();
    return sent;
  }

  start(): Promise<void> {
    const perTick = Math.max(1, this.series.length);
    this.timer = setInterval(() => {
      if (this.tick(perTick) === 0) this.pauseTimer();
    }, 1000 / this.barsPerSecond);
    return Promise.resolve();
  }

  stop(): Promise<void> {
    this.pauseTimer();
    return Promise.resolve();
  }

  private pauseTimer(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
  }
}
