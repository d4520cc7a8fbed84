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
