/**
 * What is wrong with one candle's values, or undefined when it is a sound candle: prices
 * strictly positive, volume not negative, and the high/low actually bounding open and close.
 * Values are assumed finite (the parsers reject anything else first). A candle that breaks
 * these would poison every indicator and fill model downstream, so loaders refuse the file
 * rather than guess a repair.
 */
export function candleProblem(
  open: number,
  high: number,
  low: number,
  close: number,
  volume: number,
): string | undefined {
  // One branch-light test for the million good rows; the detail is worked out only on failure.
  if (
    open > 0 &&
    high > 0 &&
    low > 0 &&
    close > 0 &&
    volume >= 0 &&
    high >= open &&
    high >= close &&
    low <= open &&
    low <= close
  ) {
    return undefined;
  }
  if (!(open > 0)) return `non-positive price: open ${open}`;
  if (!(high > 0)) return `non-positive price: high ${high}`;
  if (!(low > 0)) return `non-positive price: low ${low}`;
  if (!(close > 0)) return `non-positive price: close ${close}`;
  if (!(volume >= 0)) return `negative volume ${volume}`;
  if (high < open) return `high ${high} is below open ${open}`;
  if (high < close) return `high ${high} is below close ${close}`;
  if (low > open) return `low ${low} is above open ${open}`;
  return `low ${low} is above close ${close}`;
}

/** 10000-01-01T00:00Z: the first Unix ms past what a 4-digit ISO year can write. */
const MS_PAST_9999 = 253_402_300_800_000;

/**
 * What is wrong with a candle's open time as Unix milliseconds, or undefined when it is one.
 * Times past the year 9999 are refused with their likely cause: microseconds (Binance klines
 * with timeUnit=MICROSECOND) or nanoseconds (pandas datetime64) read as milliseconds, which
 * would otherwise load as bars of the year 49970 on an inferred "5000m" timeframe. (Unix
 * seconds fall in 1970-73 instead; the timeframe checks name that cause.)
 */
export function timestampProblem(t: number): string | undefined {
  if (t >= 0 && t < MS_PAST_9999 && Number.isInteger(t)) return undefined;
  if (t >= MS_PAST_9999)
    return `timestamp ${t} is past the year 9999: are the timestamps Unix microseconds or nanoseconds? They must be milliseconds`;
  return `timestamp ${t} is not a non-negative integer of Unix ms`;
}
