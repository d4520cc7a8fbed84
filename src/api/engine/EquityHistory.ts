import type { EquityPoint } from '../../backtest/BacktestReport.js';

/**
 * The engine's equity over time, in memory and bounded: a sample at most every
 * `minIntervalMs`, and when the buffer is full every other old point is dropped, so a long
 * run keeps its whole shape at a coarser step. Restarting starts a new curve.
 */
export class EquityHistory {
  private readonly points: EquityPoint[] = [];
  private step: number;

  constructor(
    private readonly capacity = 5_000,
    minIntervalMs = 1_000,
  ) {
    this.step = minIntervalMs;
  }

  add(ts: number, equity: number): void {
    if (!Number.isFinite(equity)) return;
    const last = this.points[this.points.length - 1];
    if (last !== undefined && ts - last.ts < this.step) return;
    this.points.push({ ts, equity });
    if (this.points.length >= this.capacity) {
      // Keep the first point, halve the rest: the curve's resolution halves, its span stays.
      const kept = this.points.filter((_, i) => i % 2 === 0);
      this.points.splice(0, this.points.length, ...kept);
      this.step *= 2;
    }
  }

  /** Points in [from, to), at most `max` (evenly thinned, last point kept). */
  range(from: number | undefined, to: number | undefined, max: number): EquityPoint[] {
    const inRange = this.points.filter(
      (p) => (from === undefined || p.ts >= from) && (to === undefined || p.ts < to),
    );
    if (inRange.length <= max) return inRange;
    const every = Math.ceil(inRange.length / max);
    const out = inRange.filter((_, i) => i % every === 0);
    const last = inRange[inRange.length - 1];
    if (last !== undefined && out[out.length - 1] !== last) out.push(last);
    return out.slice(-max);
  }
}
