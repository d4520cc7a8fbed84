import type { Bar } from '../model/Bar.js';

/** The closed bars of several symbols that share one open time. */
export interface CrossSectionSnapshot {
  readonly ts: number;
  /** Bars by symbol; a symbol with no bar at `ts` (a gap in its feed) is absent. */
  readonly bars: ReadonlyMap<string, Bar>;
}

/**
 * Gathers the bars of a universe into one cross-section per open time, for strategies
 * that compare symbols (ranking, rotation, pairs). A backtest and a live feed deliver the
 * symbols of one period one after another; a cross-section is complete when every symbol
 * has its bar, so decisions are taken once per period, after the last symbol arrived and
 * before the next period's bars, and orders of all symbols fill at the same next open.
 * When a symbol's bar is missing (a gap), the period is closed by the first bar of a later
 * period, incomplete, so one quiet market cannot stall the others.
 */
export class CrossSection {
  private ts = Number.NaN;
  private bars = new Map<string, Bar>();
  private readonly members: ReadonlySet<string>;

  constructor(readonly symbols: readonly string[]) {
    this.members = new Set(symbols);
  }

  /** Adds a closed bar; returns the cross-sections it completed (oldest first, usually none or one). */
  add(bar: Bar): CrossSectionSnapshot[] {
    if (!this.members.has(bar.symbol)) return [];
    const out: CrossSectionSnapshot[] = [];
    if (bar.ts !== this.ts) {
      if (this.bars.size > 0 && bar.ts > this.ts) out.push({ ts: this.ts, bars: this.bars });
      if (bar.ts < this.ts) return out; // a bar older than the open period: its moment has passed
      this.ts = bar.ts;
      this.bars = new Map();
    }
    this.bars.set(bar.symbol, bar);
    if (this.bars.size === this.members.size) {
      out.push({ ts: this.ts, bars: this.bars });
      this.bars = new Map();
    }
    return out;
  }
}
