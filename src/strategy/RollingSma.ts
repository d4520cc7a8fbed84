import { WindowSum } from '../core/WindowSum.js';

/**
 * Simple moving average whose window sum is kept exact and rounded once. A plain running
 * sum (add new, subtract old) drifts by float rounding, and over thousands of bars that
 * drift can move a crossover by a bar; backtrader averages each window with math.fsum,
 * and WindowSum yields that same correctly rounded sum, so our signals equal theirs bit
 * for bit — at a cost independent of the period and with no allocation per bar.
 */
export class RollingSma {
  private readonly ring: Float64Array;
  private readonly sum = new WindowSum();
  private count = 0;
  private head = 0;
  private value = Number.NaN;

  constructor(readonly period: number) {
    if (!Number.isInteger(period) || period < 1)
      throw new Error(`SMA period must be a positive integer: ${period}`);
    this.ring = new Float64Array(period);
  }

  /** Adds a price; returns the average once `period` prices were seen, else NaN. */
  update(price: number): number {
    if (this.count === this.period) this.sum.add(-(this.ring[this.head] as number));
    else this.count += 1;
    this.ring[this.head] = price;
    this.sum.add(price);
    this.head = this.head + 1 === this.period ? 0 : this.head + 1;
    if (this.count < this.period) return Number.NaN;
    this.value = this.sum.value() / this.period;
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
