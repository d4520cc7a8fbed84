import { ExactSum } from './ExactSum.js';
import { truncate } from './truncate.js';
import { HIGH_HALF } from './wordHalves.js';

/** Adds between two flushes of the bins; each bin stays exact up to 2^26 of them (see add). */
const FLUSH_EVERY = 1 << 20;
/** Values at or above 2^976 skip the bins, so no bin can overflow before a flush. */
const HUGE_EXPONENT = 2000;

// The binary exponent of a double, read from its bits.
const BITS = new Float64Array(1);
const WORDS = new Uint32Array(BITS.buffer);

/**
 * The same correctly rounded sum as ExactSum, at a constant cost per value. ExactSum walks
 * all its partials on every add, and a long sum of small values of varied size (a million
 * squared returns) keeps a dozen of them; here each value first joins the bin of its binary
 * exponent (Zhu & Hayes, "Online exact summation", 2010), and the bins go into an ExactSum
 * only now and then. Use it for sums over whole curves; ExactSum stays the choice for
 * sliding windows, which must also subtract.
 *
 * Why a bin stays exact: every value of exponent e is a multiple of its unit u = ulp(2^e)
 * and below 2^53·u, so the bin's running sum is a multiple of u, and the rounding error of
 * each addition (kept exactly by two-sum) is a multiple of u below k·u after k additions.
 * Fewer than 2^26 additions keep the sum of those errors below 2^53·u: exact as a double.
 * The value is ExactSum's rounding of the exact total, so it does not depend on the order
 * of the additions. Inputs must be finite, as for ExactSum, and partial totals must stay in
 * the double range: huge values skip the bins, so they are added in another order than
 * given, and near ±1.8e308 one order can overflow where another does not (CPython's fsum
 * raises "intermediate overflow" there). Sums of prices, returns and equity never come close.
 */
export class BinnedExactSum {
  private readonly sums = new Float64Array(2048);
  private readonly errors = new Float64Array(2048);
  private readonly inUse = new Uint8Array(2048);
  private readonly used: number[] = [];
  private count = 0;
  private readonly total = new ExactSum();

  add(value: number): void {
    BITS[0] = value;
    const e = ((WORDS[HIGH_HALF] as number) >>> 20) & 0x7ff;
    if (e >= HUGE_EXPONENT) {
      this.total.add(value);
      return;
    }
    if (this.inUse[e] === 0) {
      this.inUse[e] = 1;
      this.used.push(e);
    }
    const a = this.sums[e] as number;
    const s = a + value;
    const av = s - value;
    const err = a - av + (value - (s - av));
    this.sums[e] = s;
    this.errors[e] = (this.errors[e] as number) + err;
    if (++this.count === FLUSH_EVERY) this.flush();
  }

  /** The exact sum rounded to the nearest double (ties to even), as CPython's fsum. */
  value(): number {
    this.flush();
    return this.total.value();
  }

  /** Starts a new sum at zero, keeping the bins' memory; returns this. */
  reset(): this {
    this.flush();
    this.total.reset();
    return this;
  }

  private flush(): void {
    for (const e of this.used) {
      this.total.add(this.sums[e] as number);
      this.total.add(this.errors[e] as number);
      this.sums[e] = 0;
      this.errors[e] = 0;
      this.inUse[e] = 0;
    }
    truncate(this.used, 0);
    this.count = 0;
  }
}
