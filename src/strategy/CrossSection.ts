import type { Bar } from '../model/Bar.js';

/** The closed bars of several symbols that share one open time. */
export interface CrossSectionSnapshot {
  readonly ts: number;
  /** Bars by symbol; a symbol with no bar at `ts` (a gap in its feed) is absent. */
  readonly bars: ReadonlyMap<string, Bar>;
  /** Members counted as gone when this period closed (see CrossSectionOptions.goneAfter); empty by default. */
  readonly gone: ReadonlySet<string>;
}

/** How a CrossSection treats members whose feed falls silent. */
export interface CrossSectionOptions {
  /**
   * A member is gone once it has had no bar in this many consecutive periods that the
   * others closed, spanning at least this many of its own bar intervals (so a calendar
   * gap all members share, or a slower feed, is not mistaken for an end). A gone member is
   * no longer waited for, so its silence cannot hold back the periods of the others; its
   * next bar makes it live again from the following period on. Default: never (a silent
   * member is always waited for).
   */
  readonly goneAfter?: number;
}

const NONE: ReadonlySet<string> = new Set();

/**
 * Gathers the bars of a universe into one cross-section per open time, for strategies
 * that compare symbols (ranking, rotation, pairs). A backtest and a live feed deliver the
 * symbols of one period one after another; a cross-section is complete when every live
 * member has its bar, so decisions are taken once per period, after the last symbol arrived
 * and before the next period's bars, and orders of all symbols fill at the same next open.
 * When a live member's bar is missing (a gap), the period stays open until the owner closes
 * it with `flush` (at a time of its choosing, e.g. an alarm after the period's end) or, at
 * the latest, the first bar of a later period closes it, incomplete, so one quiet market
 * cannot stall the others.
 */
export class CrossSection {
  private ts = Number.NaN;
  private bars = new Map<string, Bar>();
  /** Open time of the last period closed: its late bars are dropped, its moment has passed. */
  private closedTs = Number.NEGATIVE_INFINITY;
  private readonly members: ReadonlySet<string>;
  private readonly goneAfter: number;
  /** Per member: consecutive closed periods without its bar, its last bar's time, its bar interval. */
  private readonly missed = new Map<string, number>();
  private readonly lastTs = new Map<string, number>();
  private readonly interval = new Map<string, number>();
  private gone: ReadonlySet<string> = NONE;
  /** Gone members whose feed resumed, with the time of their first bar back. */
  private readonly returning = new Map<string, number>();

  constructor(
    readonly symbols: readonly string[],
    options: CrossSectionOptions = {},
  ) {
    this.members = new Set(symbols);
    this.goneAfter = options.goneAfter ?? Number.POSITIVE_INFINITY;
  }

  /** Open time of the period still waiting for bars, or undefined when none is open. */
  get openTs(): number | undefined {
    return this.bars.size > 0 ? this.ts : undefined;
  }

  /** Adds a closed bar; returns the cross-sections it completed (oldest first, usually none or one). */
  add(bar: Bar): CrossSectionSnapshot[] {
    if (!this.members.has(bar.symbol) || bar.ts < this.closedTs) return [];
    const out: CrossSectionSnapshot[] = [];
    if (this.bars.size > 0) {
      if (bar.ts < this.ts) return out; // older than the open period: its moment has passed
      if (bar.ts > this.ts) out.push(this.close());
    }
    if (this.returning.size > 0) this.rejoin(bar.ts);
    const returning = this.gone.has(bar.symbol);
    if (bar.ts === this.closedTs && !returning) return out;
    this.seen(bar);
    if (returning) {
      // Back from gone: live again from the next period on. Its first bar back sits its own
      // period out, whether it came before or after the others' bars, so the order of the
      // feeds cannot matter.
      if (!this.returning.has(bar.symbol)) this.returning.set(bar.symbol, bar.ts);
      return out;
    }
    this.ts = bar.ts;
    this.bars.set(bar.symbol, bar);
    if (this.complete()) out.push(this.close());
    return out;
  }

  /** Closes the open period as it is, without the live members that have not sent a bar. */
  flush(): CrossSectionSnapshot[] {
    return this.bars.size > 0 ? [this.close()] : [];
  }

  /** Members whose first bar back is older than `ts` are live again: their period is over. */
  private rejoin(ts: number): void {
    let gone: Set<string> | undefined;
    for (const [s, at] of this.returning) {
      if (at >= ts) continue;
      gone ??= new Set(this.gone);
      gone.delete(s);
      this.returning.delete(s);
    }
    if (gone) this.gone = gone;
  }

  private seen(bar: Bar): void {
    const last = this.lastTs.get(bar.symbol);
    if (last !== undefined && bar.ts > last) {
      const step = bar.ts - last;
      const known = this.interval.get(bar.symbol);
      if (known === undefined || step < known) this.interval.set(bar.symbol, step);
    }
    this.lastTs.set(bar.symbol, bar.ts);
    this.missed.set(bar.symbol, 0);
  }

  private complete(): boolean {
    if (this.bars.size + this.gone.size < this.members.size) return false;
    for (const s of this.members) if (!this.bars.has(s) && !this.gone.has(s)) return false;
    return true;
  }

  private close(): CrossSectionSnapshot {
    if (this.goneAfter !== Number.POSITIVE_INFINITY) this.countMissing();
    const snap = { ts: this.ts, bars: this.bars, gone: this.gone };
    this.closedTs = this.ts;
    this.bars = new Map();
    return snap;
  }

  private countMissing(): void {
    let gone: Set<string> | undefined;
    for (const s of this.members) {
      if (this.bars.has(s) || this.gone.has(s)) continue;
      const missed = (this.missed.get(s) ?? 0) + 1;
      this.missed.set(s, missed);
      if (missed < this.goneAfter) continue;
      const last = this.lastTs.get(s);
      const interval = this.interval.get(s);
      if (last !== undefined && interval !== undefined && this.ts - last < this.goneAfter * interval)
        continue;
      gone ??= new Set(this.gone);
      gone.add(s);
    }
    if (gone) this.gone = gone;
  }
}
