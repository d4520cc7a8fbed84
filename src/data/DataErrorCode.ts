/** The error codes of the data layer, carried by QtsError so callers branch on them. */
export const DataErrorCode = {
  /** A row is malformed; the message starts with `FILE:LINE:`. */
  Parse: 'ERR_DATA_PARSE',
  /** The file as a whole is not a candle format we know (empty, unknown header, bad JSON). */
  Format: 'ERR_DATA_FORMAT',
  /** The file does not exist. */
  NotFound: 'ERR_DATA_NOT_FOUND',
  /** The path exists but is no readable file (a directory, no permission). */
  Unreadable: 'ERR_DATA_UNREADABLE',
  /** Two rows share a timestamp but disagree on values: which one is true is unknowable. */
  Duplicate: 'ERR_DATA_DUPLICATE',
  /** A timeframe is invalid, cannot be inferred, or does not fit the data or the request. */
  Timeframe: 'ERR_DATA_TIMEFRAME',
  /** A streamed bar arrived older than one already consumed. */
  OutOfOrder: 'ERR_DATA_OUT_OF_ORDER',
  /** A streamed bar belongs to another symbol or timeframe than its consumer. */
  Mismatch: 'ERR_DATA_MISMATCH',
  /**
   * A candle file read by another thread during the run (CandleCsvStream) needs what only the
   * whole-file load does (sorting, dropping repeats, a precise error): load it that way instead.
   */
  StreamAbandoned: 'ERR_DATA_STREAM_ABANDONED',
} as const;
/** One of the DataErrorCode values. */
export type DataErrorCode = (typeof DataErrorCode)[keyof typeof DataErrorCode];
