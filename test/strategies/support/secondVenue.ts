import type { BarSeries } from '../../../src/model/BarSeries.js';
import { allocBarSeries } from '../../../src/model/BarSeries.js';

/** The symbol of the second venue's copy of ETH/BTC. */
export const SECOND_VENUE = 'ETH-OKX/BTC';

/**
 * The shared data has one exchange only, so the second venue is built here, deterministically:
 * each of its bars is the first venue's bar one period earlier (it lags), scaled by 1 + e with
 * e uniform in ±0.4 % from a seeded generator (mulberry32, seed 42) — a slower, noisier book.
 */
export function secondVenue(a: BarSeries): BarSeries {
  const b = allocBarSeries(SECOND_VENUE, a.timeframe, a.length - 1);
  let seed = 42;
  const u = (): number => {
    seed = (seed + 0x6d2b79f5) >>> 0;
    let t = seed;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  for (let i = 1; i < a.length; i++) {
    const k = 1 + (u() * 2 - 1) * 0.004;
    b.ts[i - 1] = a.ts[i] as number;
    b.open[i - 1] = (a.open[i - 1] as number) * k;
    b.high[i - 1] = (a.high[i - 1] as number) * k;
    b.low[i - 1] = (a.low[i - 1] as number) * k;
    b.close[i - 1] = (a.close[i - 1] as number) * k;
    b.volume[i - 1] = a.volume[i - 1] as number;
  }
  return b;
}
