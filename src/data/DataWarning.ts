/**
 * Something a loader noticed and repaired (or chose to tolerate) in a data file. Warnings
 * never change what a strategy sees silently: the caller decides whether to print, log or
 * refuse them. `count` is how many rows or bars the warning is about.
 */
export interface DataWarning {
  readonly code: string;
  readonly message: string;
  readonly count: number;
}

/** The warning codes the data layer emits. */
export const DataWarningCode = {
  /** Yahoo rows of nulls (a day listed without prices) were left out; their days are gaps. */
  NullRows: 'DATA_NULL_ROWS',
  /** Rows were not in time order; they were sorted. */
  Unsorted: 'DATA_UNSORTED',
  /** Rows repeated exactly (same time, same values); the repeats were dropped. */
  DuplicatesDropped: 'DATA_DUPLICATES_DROPPED',
  /** Bars are missing at the file's timeframe (exchange outage, delisting, weekends). */
  Gaps: 'DATA_GAPS',
  /** Spacing between some rows is not a whole number of bars: the file mixes grids. */
  OffGrid: 'DATA_OFF_GRID',
} as const;
/** One of the DataWarningCode values. */
export type DataWarningCode = (typeof DataWarningCode)[keyof typeof DataWarningCode];
