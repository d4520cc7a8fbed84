/**
 * Binance kline intervals and where their candles start. Candles open on UTC boundaries:
 * weeks on Monday 00:00, months on the first day of the month.
 * https://developers.binance.com/docs/binance-spot-api-docs/rest-api/market-data-endpoints#klinecandlestick-data
 */

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
/** 1970-01-01 was a Thursday; the first Monday is four days later. */
const FIRST_MONDAY = 4 * DAY;

const FIXED_MS: Readonly<Record<string, number>> = {
  '1s': SECOND,
  '1m': MINUTE,
  '3m': 3 * MINUTE,
  '5m': 5 * MINUTE,
  '15m': 15 * MINUTE,
  '30m': 30 * MINUTE,
  '1h': HOUR,
  '2h': 2 * HOUR,
  '4h': 4 * HOUR,
  '6h': 6 * HOUR,
  '8h': 8 * HOUR,
  '12h': 12 * HOUR,
  '1d': DAY,
  '3d': 3 * DAY,
  '1w': 7 * DAY,
};

/** Whether `interval` is one Binance accepts for klines. */
export function isKlineInterval(interval: string): boolean {
  return interval === '1M' || Object.hasOwn(FIXED_MS, interval);
}

/** Length of a fixed interval in ms; undefined for '1M' (months vary) and unknown names. */
export function fixedIntervalMs(interval: string): number | undefined {
  return Object.hasOwn(FIXED_MS, interval) ? FIXED_MS[interval] : undefined;
}

/** Open time of the candle of `interval` that contains time `t`. */
export function intervalStart(interval: string, t: number): number {
  if (interval === '1M') {
    const d = new Date(t);
    return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
  }
  const ms = fixedIntervalMs(interval);
  if (ms === undefined) throw new Error(`unknown kline interval ${interval}`);
  if (interval === '1w') return Math.floor((t - FIRST_MONDAY) / ms) * ms + FIRST_MONDAY;
  return Math.floor(t / ms) * ms;
}

/** Open time of the candle after the one that opens at `start`. */
export function intervalEnd(interval: string, start: number): number {
  if (interval === '1M') {
    const d = new Date(start);
    return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
  }
  const ms = fixedIntervalMs(interval);
  if (ms === undefined) throw new Error(`unknown kline interval ${interval}`);
  return start + ms;
}
