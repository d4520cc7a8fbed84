/**
 * A conversion with its last two answers remembered, for inputs that take turns between a few
 * values: a long/flat strategy's BUY and SELL, the quantity bought and then sold, a zero fee.
 * Keys compare with ===, so bigints compare by value.
 */
export class LastTwo<K extends string | bigint, V> {
  private a: K | undefined;
  private aValue: V | undefined;
  private b: K | undefined;
  private bValue: V | undefined;

  constructor(private readonly convert: (key: K) => V) {}

  of(key: K): V {
    if (key === this.a) return this.aValue as V;
    if (key === this.b) return this.bValue as V;
    const value = this.convert(key);
    this.b = this.a;
    this.bValue = this.aValue;
    this.a = key;
    this.aValue = value;
    return value;
  }
}
