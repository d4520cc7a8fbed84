/**
 * A running sum kept exactly as non-overlapping float partials (Shewchuk). Adding a
 * value and later adding its negation cancels exactly, so a sliding window's sum stays
 * exact forever, and `value()` rounds it once, correctly — the same number math.fsum
 * gives for the window, at O(partials) instead of O(window) per update.
 * Inputs must be finite: a NaN or infinity would poison the partials for good.
 */
export class ExactSum {
  private partials = new Float64Array(8);
  private n = 0;
  private pairRest = 0;

  add(value: number): void {
    let x = value;
    let i = 0;
    const p = this.partials;
    for (let j = 0; j < this.n; j++) {
      let y = p[j] as number;
      if (Math.abs(x) < Math.abs(y)) {
        const t = x;
        x = y;
        y = t;
      }
      const hi = x + y;
      const lo = y - (hi - x);
      if (lo !== 0) p[i++] = lo;
      x = hi;
    }
    if (i >= p.length) this.grow();
    this.partials[i] = x;
    this.n = i + 1;
  }

  /** The exact sum rounded to the nearest double (ties to even), as CPython's fsum. */
  value(): number {
    const p = this.partials;
    let n = this.n;
    if (n === 0) return 0;
    let hi = p[--n] as number;
    let lo = 0;
    while (n > 0) {
      const x = hi;
      const y = p[--n] as number;
      hi = x + y;
      lo = y - (hi - x);
      if (lo !== 0) break;
    }
    if (n > 0 && ((lo < 0 && (p[n - 1] as number) < 0) || (lo > 0 && (p[n - 1] as number) > 0))) {
      const y = lo * 2;
      const x = hi + y;
      if (y === x - hi) hi = x;
    }
    return hi;
  }

  reset(): void {
    this.n = 0;
  }

  /**
   * When the exact sum fits in two doubles (at most two partials), its correctly rounded
   * value, and `pairLow()` then gives the exact remainder; undefined otherwise. WindowSum
   * uses it to leave this slower representation as soon as it can.
   */
  pairHigh(): number | undefined {
    const n = this.n;
    if (n > 2) return undefined;
    const lo = n === 2 ? (this.partials[0] as number) : 0;
    const hi = n === 0 ? 0 : (this.partials[n - 1] as number);
    const h = hi + lo;
    const hb = h - hi;
    this.pairRest = hi - (h - hb) + (lo - hb);
    return h;
  }

  /** The exact remainder of the last `pairHigh()` that returned a value. */
  pairLow(): number {
    return this.pairRest;
  }

  private grow(): void {
    const bigger = new Float64Array(this.partials.length * 2);
    bigger.set(this.partials);
    this.partials = bigger;
  }
}
