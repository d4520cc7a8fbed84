/**
 * Shortens `list` to `length` keeping its storage. Assigning `list.length = 0` makes V8 drop
 * the array's backing store, so the next push allocates a new one: on lists that empty and
 * fill again all the time (a venue's resting orders, a batch of pending orders) that is an
 * allocation per order. Popping keeps the store (measured: push + `length = 0` ≈ 45 ns and
 * 150 bytes, push + pop ≈ 5 ns and none).
 */
export function truncate(list: unknown[], length: number): void {
  while (list.length > length) list.pop();
}
