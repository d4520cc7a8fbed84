// What a CandleCsvStream and its thread (candleStreamWorker.ts) say to each other; a module of
// its own so the thread loads nothing of the stream's side.

/** What the reading thread is given (see candleStreamWorker.ts). */
export interface CandleStreamJob {
  readonly file: string;
  readonly bodyStart: number;
  readonly tfMs: number;
  /** Int32 word 0: rows written so far, or STREAM_ABANDONED. */
  readonly state: SharedArrayBuffer;
}

/** The thread's one message: the row count and the shared columns it is filling, or why it gave up first. */
export type CandleStreamMessage =
  | { readonly kind: 'columns'; readonly rows: number; readonly columns: SharedArrayBuffer }
  | { readonly kind: 'abandoned'; readonly reason: string };

/** Word 0 of the state once the thread gives up. */
export const STREAM_ABANDONED = -1;
