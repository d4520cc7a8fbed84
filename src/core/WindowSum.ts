import { ExactSum } from './ExactSum.js';

/**
 * The exact running sum of a sliding window (add the new value, add the negation of the one
 * leaving), rounded once: the same correctly rounded number as ExactSum and math.fsum, at
 * the cost of a plain double-double.
 *
 * Prices of one market share a narrow range of binary exponents, so the exact window sum
 * nearly always fits in two doubles: `hi`, the correctly rounded sum, and `lo`, the exact
 * remainder. Each add is then three two-sums, no loop and no memory. The one step that can
 * lose bits is adding the rounding error to `lo`; its own error is computed, and when it is
 * not zero (values of wildly different scale in one window) the sum moves to an ExactSum
 * (Shewchuk's partials) and comes back as soon as the exact total fits in two doubles again.
 * Inputs must be finite, as for ExactSum. Only the sign of an exactly zero sum may differ
 * from ExactSum's (both are zero).
 */
export class WindowSum {
  private hi = 0;
  private lo = 0;
  /** Set while the exact total needs more than two doubles. */
  private slow: ExactSum | undefined;

  add(x: number): void {
    if (this.slow !== undefined) {
      this.addSlow(this.slow, x);
      return;
    }
    const hi = this.hi;
    const lo = this.lo;
    // hi + x = s + e1 exactly (Knuth's two-sum).
    const s = hi + x;
    const sb = s - hi;
    const e1 = hi - (s - sb) + (x - sb);
    // lo + e1 = c + e2; exact only when e2 is zero.
    const c = lo + e1;
    const cb = c - lo;
    const e2 = lo - (c - cb) + (e1 - cb);
    // s + c = h + l exactly, h the correctly rounded total.
    const h = s + c;
    const hb = h - s;
    const l = s - (h - hb) + (c - hb);
    // h - h is NaN for an overflow to infinity: the exact path then keeps the partials.
    if (e2 === 0 && h - h === 0) {
      this.hi = h;
      this.lo = l;
      return;
    }
    this.promote(hi, lo, x);
  }

  // Apart from `add` so the fast path stays small enough for V8 to inline into the indicator
  // that calls it: a call it does not inline boxes each double argument.
  private promote(hi: number, lo: number, x: number): void {
    const exact = new ExactSum();
    exact.add(hi);
    exact.add(lo);
    this.slow = exact;
    this.addSlow(exact, x);
  }

  /** The exact sum rounded to the nearest double (ties to even), as CPython's fsum. */
  value(): number {
    return this.slow === undefined ? this.hi : this.slow.value();
  }

  reset(): void {
    this.hi = 0;
    this.lo = 0;
    this.slow = undefined;
  }

  private addSlow(exact: ExactSum, x: number): void {
    exact.add(x);
    const hi = exact.pairHigh();
    if (hi === undefined) return;
    this.hi = hi;
    this.lo = exact.pairLow();
    this.slow = undefined;
  }
}
