import { RecentMap } from '../core/RecentMap.js';
import type { Bar } from '../model/Bar.js';

/** A closed bar of ours that disagrees with the venue's candle for the same period. */
export interface BarMismatch {
  readonly ts: number;
  /** Our bar, or undefined when we saw no trade in a period the venue has volume for. */
  readonly ours: Bar | undefined;
  readonly theirs: Bar;
  /** The fields that differ. */
  readonly fields: readonly string[];
}

const FIELDS = ['open', 'high', 'low', 'close', 'volume'] as const;

/**
 * Compares the bars we build from trades with the venue's own candles (its kline stream),
 * one period at a time, once both sides are final. A mismatch means trades were lost or
 * altered on the way (or the venue corrected its candle): worth a warning, never a reason
 * to replace our bar, whose trades we can account for one by one.
 *
 * The venue's candle for a period is final when a candle of a later period arrives. After
 * a reconnect the last candle seen may be stale (its final updates were missed while
 * disconnected): `taint()` keeps it out of the comparison unless it is refreshed.
 * Periods where we have a bar but the venue sent no candle are not reported: a stream that
 * was down for a while has holes on the venue side too.
 */
export class ExchangeBarCheck {
  private last: Bar | undefined;
  private tainted = false;
  private readonly theirs = new Map<number, Bar>();
  private readonly ours: RecentMap<number, Bar>;
  private compared = 0;

  constructor(
    readonly symbol: string,
    readonly timeframe: string,
    private readonly tolerance = 1e-9,
    private readonly keep = 2000,
  ) {
    this.ours = new RecentMap(keep);
  }

  /** Venue candles (forming versions, any order); returns those that just became final. */
  onVenueCandles(bars: readonly Bar[]): Bar[] {
    const closed: Bar[] = [];
    for (const b of [...bars].sort((x, y) => x.ts - y.ts)) {
      if (this.last === undefined || b.ts === this.last.ts) {
        this.last = b;
        this.tainted = false;
      } else if (b.ts > this.last.ts) {
        if (!this.tainted) closed.push({ ...this.last, closed: true });
        this.last = b;
        this.tainted = false;
      }
    }
    for (const c of closed) {
      this.theirs.set(c.ts, c);
      if (this.theirs.size > this.keep) {
        const oldest = this.theirs.keys().next().value;
        if (oldest !== undefined) this.theirs.delete(oldest);
      }
    }
    return closed;
  }

  /** The venue stream was interrupted: its last candle may have missed updates. */
  taint(): void {
    if (this.last !== undefined) this.tainted = true;
  }

  /** One of our closed bars. */
  onOurBar(bar: Bar): void {
    this.ours.set(bar.ts, bar);
  }

  /**
   * Compares every venue candle of a period we have finished (`ourLastClosedTs`) and
   * cover completely (from `ourCoverageStart` on); returns the mismatches.
   */
  settle(ourLastClosedTs: number, ourCoverageStart: number): BarMismatch[] {
    const out: BarMismatch[] = [];
    for (const [ts, theirs] of this.theirs) {
      if (ts > ourLastClosedTs) continue;
      this.theirs.delete(ts);
      if (ts < ourCoverageStart) continue;
      this.compared++;
      const ours = this.ours.get(ts);
      const fields = barDifferences(ours, theirs, this.tolerance);
      if (fields.length > 0) out.push({ ts, ours, theirs, fields });
    }
    return out;
  }

  /** Periods compared so far. */
  comparedCount(): number {
    return this.compared;
  }
}

/**
 * The fields in which our bar differs from the venue's candle (relative tolerance `tol`).
 * No bar of ours matches a venue candle without volume (a quiet period on both sides).
 */
export function barDifferences(ours: Bar | undefined, theirs: Bar | undefined, tol = 1e-9): string[] {
  if (ours === undefined || theirs === undefined) {
    const other = ours ?? theirs;
    return other === undefined || other.volume === 0 ? [] : [...FIELDS];
  }
  return FIELDS.filter((f) => !close(ours[f], theirs[f], tol));
}

function close(a: number, b: number, tol: number): boolean {
  return a === b || Math.abs(a - b) <= tol * Math.max(Math.abs(a), Math.abs(b));
}
