import type { MessagePort } from 'node:worker_threads';
import type { CandleColumns } from './parseCandleCsv.js';

// What a CandleCsvStream and its thread (candleStreamWorker.ts) say to each other; a module of
// its own so the thread loads nothing of the stream's side.

/** What the reading thread is given (see candleStreamWorker.ts). */
export interface CandleStreamJob {
  readonly file: string;
  readonly bodyStart: number;
  readonly timeframe: string;
  readonly tfMs: number;
  /**
   * Where the thread posts the file's warnings (DataWarning[]) before it publishes its last
   * row: the run reads them without the event loop, which it blocks.
   */
  readonly warnings: MessagePort;
  /** Int32 word 0: rows written so far, or STREAM_ABANDONED. */
  readonly state: SharedArrayBuffer;
}

/** The thread's one message: the row count and the shared columns it is filling, or that it gave up first. */
export type CandleStreamMessage =
  | { readonly kind: 'columns'; readonly rows: number; readonly columns: SharedArrayBuffer }
  | { readonly kind: 'abandoned' };

/** Word 0 of the state once the thread gives up. */
export const STREAM_ABANDONED = -1;

/** Bytes of shared buffer for the columns of `rows` rows. */
export function sharedColumnsBytes(rows: number): number {
  return rows * 8 * 6;
}

/** The six columns of `rows` rows laid out one after another in `shared`, as both threads see them. */
export function sharedColumns(shared: SharedArrayBuffer, rows: number): CandleColumns {
  const col = (k: number): Float64Array => new Float64Array(shared, k * rows * 8, rows);
  return { ts: col(0), open: col(1), high: col(2), low: col(3), close: col(4), volume: col(5) };
}
