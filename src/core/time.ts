/** Engine time: Unix epoch milliseconds (fractions allowed for sub-millisecond latency models). */
export type Millis = number;

const UNIT_MS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** Parses a timeframe such as "1m", "5m", "4h", "1d", "1w" into milliseconds. */
export function timeframeToMs(tf: string): number {
  const m = /^(\d+)([smhdw])$/.exec(tf);
  const unit = m?.[2] ? UNIT_MS[m[2]] : undefined;
  if (!m || unit === undefined || Number(m[1]) <= 0) {
    throw new Error(`invalid timeframe "${tf}" (expected e.g. 1m, 5m, 1h, 1d)`);
  }
  return Number(m[1]) * unit;
}

/** ISO-8601 UTC text of a timestamp. */
export function isoTime(ts: Millis): string {
  return new Date(ts).toISOString();
}
