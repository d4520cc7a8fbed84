import { timeframeToMs } from '../core/time.js';
import type { Millis } from '../core/time.js';
import { bucketStart } from '../data/bucketStart.js';

/**
 * Most base bars fetched per symbol (20 requests of 1000 candles on Binance): a 1d strategy
 * beside a 1m one would otherwise want 300 days of minutes.
 */
export const MAX_WARMUP_BASE_BARS = 20_000;

/** One strategy deployment as warm-up needs it. */
export interface WarmUpDeployment {
  readonly symbols: readonly string[];
  readonly timeframe: string;
}

/** Where a symbol's warm-up history starts; it ends where the bar forming at the start begins. */
export interface WarmUpWindow {
  readonly symbol: string;
  readonly from: Millis;
  readonly until: Millis;
  /** The window was cut to MAX_WARMUP_BASE_BARS base bars. */
  readonly truncated: boolean;
}

/**
 * The history each symbol needs so every strategy trading it has `bars` closed bars of its own
 * timeframe, plus the part of its current (forming) bar that has closed at the base timeframe.
 * Windows start on a bucket boundary of each strategy's timeframe, so the higher bars the data
 * engine builds from them are whole; they end at the start of the base bar forming now (the
 * live feed delivers that one).
 */
export function warmUpWindows(
  deployments: readonly WarmUpDeployment[],
  baseTimeframe: string,
  bars: number,
  now: Millis,
): WarmUpWindow[] {
  const baseMs = timeframeToMs(baseTimeframe);
  const until = bucketStart(now, baseMs);
  const wanted = new Map<string, { from: number; longestMs: number }>();
  for (const d of deployments) {
    const tfMs = timeframeToMs(d.timeframe);
    const from = bucketStart(until, tfMs) - bars * tfMs;
    for (const symbol of d.symbols) {
      const w = wanted.get(symbol);
      wanted.set(symbol, {
        from: Math.min(w?.from ?? from, from),
        longestMs: Math.max(w?.longestMs ?? tfMs, tfMs),
      });
    }
  }
  return [...wanted].map(([symbol, { from, longestMs }]) => {
    const floor = until - MAX_WARMUP_BASE_BARS * baseMs;
    if (from >= floor) return { symbol, from, until, truncated: false };
    // Cut, then moved up to a boundary of the longest timeframe: no partial first higher bar.
    let start = bucketStart(floor, longestMs);
    if (start < floor) start += longestMs;
    return { symbol, from: Math.min(start, until), until, truncated: true };
  });
}
