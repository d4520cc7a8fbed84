/** Work one message to a worker thread should carry, in ms: long enough that handing it over costs nothing. */
export const CHUNK_TARGET_MS = 20;

/**
 * How many tasks the next message to a worker thread carries. Small enough that the last
 * messages of a batch end together on every thread (at most a quarter of an even share of
 * what is left, as in guided self-scheduling, since each thread holds two messages), large
 * enough that a thread spends its time backtesting rather than waiting for the main thread
 * (about {@link CHUNK_TARGET_MS} of work once a task's cost is known). Before any task has
 * been timed, one at a time.
 */
export function chunkSize(
  remaining: number,
  workers: number,
  msPerTask: number | undefined,
  targetMs: number = CHUNK_TARGET_MS,
): number {
  if (remaining <= 0) return 0;
  const fair = Math.ceil(remaining / (4 * Math.max(1, workers)));
  const timed =
    msPerTask === undefined || !(msPerTask > 0) ? 1 : Math.max(1, Math.floor(targetMs / msPerTask));
  return Math.max(1, Math.min(fair, timed, remaining));
}
