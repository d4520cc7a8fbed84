/**
 * A map that keeps only its `capacity` most recent keys (first in, first out). Eviction
 * goes through a ring of keys, O(1): evicting via `map.keys().next()` instead would walk
 * every deleted slot V8 leaves at the front of the table until it rehashes — thousands
 * per call in a long backtest.
 */
export class RecentMap<K, V> {
  private readonly map = new Map<K, V>();
  private readonly ring: (K | undefined)[];
  private next = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1)
      throw new Error(`RecentMap capacity must be ≥ 1: ${capacity}`);
    this.ring = new Array<K | undefined>(capacity).fill(undefined);
  }

  get size(): number {
    return this.map.size;
  }

  get(key: K): V | undefined {
    return this.map.get(key);
  }

  has(key: K): boolean {
    return this.map.has(key);
  }

  /** Adds or replaces; a new key may evict the oldest one. */
  set(key: K, value: V): void {
    // The size tells a new key from a replaced one, saving a lookup. The evicted key is
    // always in the map and never the new one, so evicting after the insertion leaves the
    // same entries, in the same order, as evicting before it.
    const before = this.map.size;
    this.map.set(key, value);
    if (this.map.size === before) return;
    const old = this.ring[this.next];
    if (old !== undefined) this.map.delete(old);
    this.ring[this.next] = key;
    this.next = this.next + 1 === this.capacity ? 0 : this.next + 1;
  }

  values(): IterableIterator<V> {
    return this.map.values();
  }
}
