import type { BarSeries } from '../src/model/BarSeries.js';
import { allocBarSeries } from '../src/model/BarSeries.js';

/**
 * The walk as an exchange would print it: prices on a 0.01 tick, volume to 4 decimals (the
 * walk itself carries every float digit, 16-17 significant ones, which no exchange prints and
 * which make the file twice as long and the slowest to parse). High and low still bracket
 * open and close after rounding.
 */
export function onTick(s: BarSeries): BarSeries {
  const out = allocBarSeries(s.symbol, s.timeframe, s.length);
  const cents = (x: number): number => Math.round(x * 100) / 100;
  for (let i = 0; i < s.length; i++) {
    const o = cents(s.open[i] as number);
    const c = cents(s.close[i] as number);
    out.ts[i] = s.ts[i] as number;
    out.open[i] = o;
    out.close[i] = c;
    out.high[i] = Math.max(cents(s.high[i] as number), o, c);
    out.low[i] = Math.min(cents(s.low[i] as number), o, c);
    out.volume[i] = Math.round((s.volume[i] as number) * 1e4) / 1e4;
  }
  return out;
}
