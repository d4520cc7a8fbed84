const DAY_MS = 86_400_000;

/** The UTC day (days since the epoch) a time falls in. */
function dayOf(ts: number): number {
  return Math.floor(ts / DAY_MS);
}

/**
 * Whether the first bucket of a higher timeframe is whole: the one rule behind the engine's
 * higher timeframes (BarAggregator's dropPartialFirst) and `--timeframe` (loadResearchData),
 * so a strategy's subscribed 1w bars and a run on 1w bars begin with the same week.
 *
 * A first bucket that begins with its first base-bar slot is whole. Otherwise it is whole when
 * what it lacks before its first bar is closed time, not missing data:
 * - Where the data before the first bar is known (bars cut off by `--from`, bars the engine
 *   delivered before a strategy subscribed), it decides: a bar of it inside the bucket makes
 *   the bucket partial (straddling `--from`); none makes the bucket the data's own, as whole
 *   as any bucket after a gap (the week after a Monday holiday).
 * - At the start of the data, the data's own calendar decides, as the bucket's bars and the
 *   bar that ends it show it:
 *   - the hours of the first bar's day before it are closed when the next day the data
 *     trades opens no earlier in its day (a session opening at 14:30 UTC every day);
 *   - of whole days before the first bar's day, none may be missing, or one where the data
 *     keeps closed days (a UTC day without bars between two of its bars: a weekend). An
 *     exchange that closes on weekends closes on holidays too, and the data alone cannot
 *     tell a holiday from a file that begins a trading day late: daily stock data starting
 *     on the Tuesday after a Monday holiday keeps its first week (at worst one day short);
 *     from a Wednesday it does not. 24/7 data (crypto) shows no closed day, so its first
 *     bucket is whole only if it begins with its first slot: a week from Tuesday is partial.
 *
 * The verdict is known at once in the first two cases; otherwise only once the bucket has
 * ended (by its last slot's bar, or the first bar after it). Bars are seen in time order.
 */
export class FirstBucket {
  private verdict: boolean | undefined;
  private last: number;
  /** A whole UTC day without bars between two bars seen: the data keeps closed days. */
  private closedDay = false;
  /** Time of day of the first bar seen on a later UTC day than the first bar's. */
  private laterDayOpen: number | undefined;

  /**
   * @param start the bucket's open time
   * @param first the open time of its first base bar
   * @param before the open time of the data's last base bar before `first`, where known
   */
  constructor(
    readonly start: number,
    readonly first: number,
    before: number | undefined,
  ) {
    this.last = first;
    if (first === start) this.verdict = true;
    else if (before !== undefined) this.verdict = before < start;
  }

  /** The verdict when bars to come can no longer change it, else undefined. */
  known(): boolean | undefined {
    return this.verdict;
  }

  /** A base bar after the first: one of the bucket's, or the one that ends it. */
  see(ts: number): void {
    if (this.verdict !== undefined || ts <= this.last) return;
    const day = dayOf(ts);
    if (day - dayOf(this.last) >= 2) this.closedDay = true;
    if (this.laterDayOpen === undefined && day > dayOf(this.first)) this.laterDayOpen = ts - day * DAY_MS;
    this.last = ts;
  }

  /** Whether the bucket is whole, judged on the bars seen (once it has ended). */
  whole(): boolean {
    if (this.verdict !== undefined) return this.verdict;
    const firstDay = dayOf(this.first) * DAY_MS;
    const timeOfDay = this.first - firstDay;
    const hoursClosed = timeOfDay === 0 || (this.laterDayOpen ?? -1) >= timeOfDay;
    const daysMissing = Math.max(0, firstDay - this.start);
    return hoursClosed && (daysMissing === 0 || (this.closedDay && daysMissing <= DAY_MS));
  }
}
