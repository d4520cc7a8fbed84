import { fsum } from '../core/fsum.js';

/**
 * Simple moving average over a Float64Array ring whose window is summed afresh with a
 * correctly rounded sum. A running sum (add new, subtract old) drifts by float rounding,
 * and over thousands of bars that drift can move a crossover by a bar; backtrader averages
 * each window with math.fsum, and so do we, so our signals equal theirs bit for bit. It
 * is also allocation-free, for the hot path of million-bar backtests.
 */
export class RollingSma {
  private readonly ring: Float64Array;
  private count = 0;
  private head = 0;
  private value = Number.NaN;
  private readonly scratch: Float64Array;

  constructor(readonly period: number) {
    if (!Number.isInteger(period) || period < 1) throw new Error(`SMA period must be a positive integer: ${period}`);
    this.ring = new Float64Array(period);
    this.scratch = new Float64Array(period + 1);
  }

  /** Adds a price; returns the average once `period` prices were seen, else NaN. */
  update(price: number): number {
    const ring = this.ring;
    ring[this.head] = price;
    this.head = this.head + 1 === this.period ? 0 : this.head + 1;
    if (this.count < this.period) this.count += 1;
    if (this.count < this.period) return Number.NaN;
    this.value = fsum(ring, 0, this.period, this.scratch) / this.period;
    return this.value;
  }

  get isStable(): boolean {
    return this.count >= this.period;
  }

  /** Last average, NaN until stable. */
  get result(): number {
    return this.value;
  }
}
