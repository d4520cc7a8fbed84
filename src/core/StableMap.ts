/** A key no caller uses (ids are printable), held by every StableMap from its birth. */
const KEEP = '\u0000stable-map-keep';

/**
 * A Map of string keys for sets that keep going empty and back, such as open orders (most
 * of the time zero or one). V8 frees the table of a Map emptied by `delete` and builds a new
 * one at the next insert, which makes an insert-then-delete about five times dearer and
 * allocates every time; a permanent first entry keeps the table. Iteration is in insertion
 * order, as a Map's.
 */
export class StableMap<V> {
  private readonly map = new Map<string, V | undefined>([[KEEP, undefined]]);

  get size(): number {
    return this.map.size - 1;
  }

  get(key: string): V | undefined {
    return key === KEEP ? undefined : this.map.get(key);
  }

  has(key: string): boolean {
    return key !== KEEP && this.map.has(key);
  }

  set(key: string, value: V): void {
    if (key === KEEP) throw new Error('StableMap: reserved key');
    this.map.set(key, value);
  }

  delete(key: string): boolean {
    return key !== KEEP && this.map.delete(key);
  }

  /** The values in insertion order (the placeholder, always first, is skipped). */
  values(): IterableIterator<V> {
    const it = this.map.values();
    it.next();
    return it as IterableIterator<V>;
  }
}
