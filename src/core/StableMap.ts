/** Entries kept in plain arrays before the map switches to a Map. */
const SMALL = 8;
/** A key no caller uses (ids are printable), held by the Map of a large StableMap from its birth. */
const KEEP = '\u0000stable-map-keep';

/**
 * A map of string keys for sets that keep going empty and back, such as open orders (most
 * of the time zero or one). A Map is the wrong tool there: V8 frees the table of a Map
 * emptied by `delete`, and even one kept non-empty rebuilds its table every few
 * insert-delete pairs, since deleted entries hold their slots until a rehash. Up to 8
 * entries live in two arrays instead (a lookup compares at most 8 keys, usually the same
 * string object), which an insert and a delete never reallocate; past 8 the entries move to
 * a Map for good, with a permanent first entry so it never frees its table. Iteration is in
 * insertion order, as a Map's.
 */
export class StableMap<V> {
  private readonly keys: string[] = [];
  private readonly vals: V[] = [];
  private map: Map<string, V | undefined> | undefined;

  get size(): number {
    return this.map === undefined ? this.keys.length : this.map.size - 1;
  }

  get(key: string): V | undefined {
    if (this.map !== undefined) return key === KEEP ? undefined : this.map.get(key);
    const i = this.indexOf(key);
    return i < 0 ? undefined : this.vals[i];
  }

  has(key: string): boolean {
    if (this.map !== undefined) return key !== KEEP && this.map.has(key);
    return this.indexOf(key) >= 0;
  }

  set(key: string, value: V): void {
    if (key === KEEP) throw new Error('StableMap: reserved key');
    if (this.map !== undefined) {
      this.map.set(key, value);
      return;
    }
    const i = this.indexOf(key);
    if (i >= 0) {
      this.vals[i] = value;
      return;
    }
    if (this.keys.length < SMALL) {
      this.keys.push(key);
      this.vals.push(value);
      return;
    }
    const map = new Map<string, V | undefined>([[KEEP, undefined]]);
    for (let k = 0; k < this.keys.length; k++) map.set(this.keys[k] as string, this.vals[k]);
    map.set(key, value);
    this.map = map;
  }

  delete(key: string): boolean {
    if (this.map !== undefined) return key !== KEEP && this.map.delete(key);
    const i = this.indexOf(key);
    if (i < 0) return false;
    // Shift the later entries down (insertion order stays) and pop: popping keeps the
    // arrays' storage, where splice would allocate the removed part.
    const keys = this.keys;
    const vals = this.vals;
    for (let k = i + 1; k < keys.length; k++) {
      keys[k - 1] = keys[k] as string;
      vals[k - 1] = vals[k] as V;
    }
    keys.pop();
    vals.pop();
    return true;
  }

  /**
   * The values in insertion order. A small map yields a snapshot: entries set or deleted
   * while iterating are not seen (the callers only read, or copy before they change it).
   */
  values(): IterableIterator<V> {
    if (this.map === undefined) return this.vals.slice().values();
    const it = this.map.values();
    it.next(); // the placeholder, always first
    return it as IterableIterator<V>;
  }

  /**
   * The values in insertion order, without the copy `values` makes: a small map's own array.
   * For a caller that only reads them and sets or deletes nothing until it is done (the OMS
   * lists its open orders twice per order: for risk and for the strategy's openOrders), the
   * copy and its iterator were two objects per listing for nothing.
   */
  readValues(): Iterable<V> {
    return this.map === undefined ? this.vals : this.values();
  }

  private indexOf(key: string): number {
    const keys = this.keys;
    for (let i = 0; i < keys.length; i++) if (keys[i] === key) return i;
    return -1;
  }
}
