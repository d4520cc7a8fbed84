/**
 * The last `size` values of a float series, oldest first, in a ring that allocates once.
 * Strategies keep their lookbacks (closes, returns, spreads) in these and hand `values()`
 * to the functions of statistics.ts.
 */
export class RollingWindow {
  private readonly ring: Float64Array;
  private head = 0;
  private count = 0;

  constructor(readonly size: number) {
    if (!Number.isInteger(size) || size < 1)
      throw new Error(`window size must be a positive integer: ${size}`);
    this.ring = new Float64Array(size);
  }

  push(x: number): void {
    this.ring[this.head] = x;
    this.head = this.head + 1 === this.size ? 0 : this.head + 1;
    if (this.count < this.size) this.count += 1;
  }

  get length(): number {
    return this.count;
  }

  get full(): boolean {
    return this.count === this.size;
  }

  /** The i-th value, 0 = oldest kept; NaN outside. */
  at(i: number): number {
    if (i < 0 || i >= this.count) return Number.NaN;
    const start = this.count < this.size ? 0 : this.head;
    return this.ring[(start + i) % this.size] as number;
  }

  /** Most recent value, NaN when empty. */
  last(): number {
    return this.at(this.count - 1);
  }

  /** A copy of the kept values, oldest first. */
  values(): Float64Array {
    const out = new Float64Array(this.count);
    for (let i = 0; i < this.count; i++) out[i] = this.at(i);
    return out;
  }
}
