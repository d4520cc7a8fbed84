const DAY_MS = 86_400_000;
const WEEK_MS = 7 * DAY_MS;
// The Unix epoch fell on a Thursday; 1970-01-05 is the first Monday after it.
const MONDAY_OFFSET_MS = 4 * DAY_MS;

/**
 * Open time of the higher-timeframe bucket that contains `ts`. Buckets are aligned to UTC
 * epoch boundaries (a 4h bucket starts at 00:00, 04:00, … UTC; a 1d bucket at midnight UTC),
 * except whole-week timeframes, which start on Monday 00:00 UTC as exchanges and charting
 * tools publish weekly candles (an epoch-aligned week would start on Thursday). A timeframe
 * is treated as weekly by its length, so "7d" and "1w" bucket identically.
 */
export function bucketStart(ts: number, timeframeMs: number): number {
  const offset = timeframeMs % WEEK_MS === 0 ? MONDAY_OFFSET_MS : 0;
  return Math.floor((ts - offset) / timeframeMs) * timeframeMs + offset;
}
