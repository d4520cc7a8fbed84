import { QtsError } from '../core/QtsError.js';
import type { Bar } from '../model/Bar.js';
import { bucketStart } from './bucketStart.js';
import { checkAligned, checkResample } from './checkResample.js';
import { DataErrorCode } from './DataErrorCode.js';
import { FirstBucket } from './FirstBucket.js';

/**
 * Builds higher-timeframe bars from a stream of base bars, for the DataEngine in every mode
 * (replay, shadow, live), and agrees bar for bar with `resample` on a whole series.
 *
 * A higher bar closes when the last base bar of its bucket arrives, or — after a gap — when
 * a bar of a later bucket arrives. In that second case the newly arrived bar may itself
 * complete its own bucket (a gap ending on a bucket's last base bar): `update` can return
 * only one bar, so it returns the older one and keeps the newer until `takeClosed()` or the
 * next `update`, which returns it first. Callers wanting every bar as early as possible
 * drain with `takeClosed()` after each `update`.
 *
 * Forming base bars (`closed: false`, live streams) are shown in `current()` and replaced
 * by each later version; if a bucket ends while its last base bar is still forming, that
 * last forming state is taken as final.
 *
 * With `dropPartialFirst` (the DataEngine's higher timeframes), the first bucket is left out
 * when it lacks base bars before its first one that the data would have had (data or a
 * subscription starting at 10:35: the 10:00 hourly bar would hold 5 of its 12 five-minute bars
 * and open at 10:35's open), but kept when what it lacks is closed time (daily stock data from
 * the Tuesday after a Monday holiday: the week is whole). The rule is FirstBucket's, shared
 * with `--timeframe` (loadResearchData). A partial first bucket is neither returned nor shown
 * in `current()`; the next bucket is the first higher bar. A first bucket whose verdict waits
 * for the bars after its first one is not shown in `current()` either, and is returned, if
 * whole, when it ends.
 */
export class BarAggregator {
  private readonly baseMs: number;
  private readonly targetMs: number;
  private bucket = NaN;
  private count = 0;
  private open = 0;
  private high = 0;
  private low = 0;
  private close = 0;
  private volume = 0;
  private forming: Bar | undefined;
  private lastClosedTs = -Infinity;
  private completed: Bar | undefined;
  /** No bucket begun yet: the next base bar begins the first one. */
  private first = true;
  /** The first bucket, being built, while it may yet be partial (dropPartialFirst). */
  private judge: FirstBucket | undefined;

  /**
   * Throws ERR_DATA_TIMEFRAME unless `targetTimeframe` is a whole multiple of `baseTimeframe`.
   * `seenBefore`: the open time of the last base bar delivered before this aggregator's first
   * (a strategy subscribing once the feed has begun), for FirstBucket.
   */
  constructor(
    readonly symbol: string,
    readonly baseTimeframe: string,
    readonly targetTimeframe: string,
    private readonly options: { readonly dropPartialFirst?: boolean; readonly seenBefore?: number } = {},
  ) {
    ({ baseMs: this.baseMs, targetMs: this.targetMs } = checkResample(
      symbol,
      baseTimeframe,
      targetTimeframe,
    ));
  }

  /**
   * Feeds one base bar (in time order); returns a higher bar when one has closed.
   * Throws ERR_DATA_MISMATCH for another symbol/timeframe, ERR_DATA_OUT_OF_ORDER for a bar
   * not later than the last closed one, ERR_DATA_TIMEFRAME for a bar off its grid.
   */
  update(bar: Bar): Bar | undefined {
    this.check(bar);
    let out = this.takeClosed();
    const b = bucketStart(bar.ts, this.targetMs);
    // The bars after the first bucket's first one, up to the one that ends it, are its evidence.
    this.judge?.see(bar.ts);
    if (this.hasData() && b !== this.bucket) out = this.finishBucket(out);
    if (!this.hasData()) {
      this.bucket = b;
      if (this.first && this.options.dropPartialFirst === true) {
        const judge = new FirstBucket(b, bar.ts, this.options.seenBefore);
        if (judge.known() !== true) this.judge = judge;
      }
      this.first = false;
    }
    if (!bar.closed) {
      this.forming = bar;
    } else {
      this.fold(bar);
      if (bar.ts + this.baseMs === this.bucket + this.targetMs) out = this.finishBucket(out);
    }
    return out;
  }

  /** A higher bar already complete but not yet returned by `update` (only after gaps). */
  takeClosed(): Bar | undefined {
    const out = this.completed;
    this.completed = undefined;
    return out;
  }

  /** The higher bar still forming (closed: false), or undefined before any of its bars. */
  current(): Bar | undefined {
    return this.hasData() && (this.judge === undefined || this.judge.known() === true)
      ? this.build(false)
      : undefined;
  }

  private check(bar: Bar): void {
    if (bar.symbol !== this.symbol || bar.timeframe !== this.baseTimeframe) {
      throw new QtsError(
        DataErrorCode.Mismatch,
        `BarAggregator for ${this.symbol} ${this.baseTimeframe} got a ${bar.symbol} ${bar.timeframe} bar`,
        { symbol: this.symbol, got: bar.symbol, timeframe: bar.timeframe },
      );
    }
    const formingTs = this.forming?.ts ?? -Infinity;
    if (bar.ts <= this.lastClosedTs || bar.ts < formingTs) {
      throw new QtsError(
        DataErrorCode.OutOfOrder,
        `${this.symbol} ${this.baseTimeframe} bar at ${new Date(bar.ts).toISOString()} arrived after a later one`,
        { symbol: this.symbol, ts: bar.ts },
      );
    }
    checkAligned(this.symbol, this.baseTimeframe, bar.ts, this.baseMs);
  }

  private fold(bar: Bar): void {
    if (this.count === 0) {
      this.open = bar.open;
      this.high = bar.high;
      this.low = bar.low;
      this.volume = bar.volume;
    } else {
      if (bar.high > this.high) this.high = bar.high;
      if (bar.low < this.low) this.low = bar.low;
      this.volume += bar.volume;
    }
    this.close = bar.close;
    this.count++;
    this.lastClosedTs = bar.ts;
    // The closed version of a forming bar supersedes it.
    if (this.forming !== undefined && this.forming.ts <= bar.ts) this.forming = undefined;
  }

  private hasData(): boolean {
    return this.count > 0 || this.forming !== undefined;
  }

  private build(closed: boolean): Bar {
    const f = this.forming;
    const base = { symbol: this.symbol, timeframe: this.targetTimeframe, ts: this.bucket, closed };
    if (f === undefined) {
      return {
        ...base,
        open: this.open,
        high: this.high,
        low: this.low,
        close: this.close,
        volume: this.volume,
      };
    }
    if (this.count === 0) {
      return { ...base, open: f.open, high: f.high, low: f.low, close: f.close, volume: f.volume };
    }
    return {
      ...base,
      open: this.open,
      high: Math.max(this.high, f.high),
      low: Math.min(this.low, f.low),
      close: f.close,
      volume: this.volume + f.volume,
    };
  }

  // Ends the current bucket. `update` returns one bar: the older one if this update already
  // has one to return, the newer waiting in `completed`. At most one ever waits, because
  // the state is empty while it does (it was just completed and cleared).
  // A dropped first bucket ends the same way and returns only what this update already had.
  private finishBucket(out: Bar | undefined): Bar | undefined {
    const closed = this.judge === undefined || this.judge.whole() ? this.build(true) : undefined;
    this.bucket = NaN;
    this.count = 0;
    this.forming = undefined;
    this.judge = undefined;
    if (out === undefined || closed === undefined) return out ?? closed;
    this.completed = closed;
    return out;
  }
}
