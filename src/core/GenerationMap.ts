/**
 * A map that remembers at least its `capacity` most recently set keys, and at most twice
 * that: new keys go into a young generation, and when it is full it becomes the old one and
 * the previous old generation is dropped whole. Cheaper than exact first-in-first-out
 * eviction (RecentMap) on a hot path, since nothing is ever deleted key by key: for lookups
 * of recent history (orders closed lately, OCO groups that fired) where remembering a little
 * more is harmless. Values must not be undefined.
 */
export class GenerationMap<K, V> {
  private young = new Map<K, V>();
  private old = new Map<K, V>();

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1)
      throw new Error(`GenerationMap capacity must be ≥ 1: ${capacity}`);
  }

  get(key: K): V | undefined {
    const v = this.young.get(key);
    return v !== undefined ? v : this.old.get(key);
  }

  has(key: K): boolean {
    return this.young.has(key) || this.old.has(key);
  }

  /** Adds or replaces (a replaced key counts as recent again). */
  set(key: K, value: V): void {
    const young = this.young;
    young.set(key, value);
    if (young.size >= this.capacity) {
      this.old = young;
      this.young = new Map();
    }
  }

  /** Forgets every key. */
  clear(): void {
    this.young.clear();
    this.old.clear();
  }
}
