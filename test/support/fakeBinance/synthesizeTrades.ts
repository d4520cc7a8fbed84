/**
 * A trade tape made from candles, for markets that only have candle files: four trades per
 * candle, at its open, +1/4, +2/4 and +3/4 of the period, priced O, L, H, C when the candle
 * closes up (or level) and O, H, L, C when it closes down, the usual intrabar path. Each gets
 * a quarter of the volume (in units of 1e-8, the last one the remainder), so candles built
 * back from the trades reproduce the file exactly. The side follows the tick rule (up = taker
 * buy, down = taker sell, unchanged = as before). Candles with fewer than 4e-8 volume still
 * get four trades, some of zero amount.
 */
import type { BarSeries } from '../../../src/model/BarSeries.js';
import { toUnits, unitsToNumber } from './decimal.js';
import { fixedIntervalMs } from './klineIntervals.js';
import type { FakeTrade } from './types.js';

/** The synthetic tape of `series`, ids counting up from `firstId`. */
export function synthesizeTrades(series: BarSeries, firstId = 1): FakeTrade[] {
  const period = fixedIntervalMs(series.timeframe);
  if (period === undefined) {
    throw new Error(
      `FakeBinance: cannot synthesize trades from ${series.timeframe} candles (fixed interval needed)`,
    );
  }
  const trades: FakeTrade[] = [];
  let id = firstId;
  let prevPrice = Number.NaN;
  let side: 'buy' | 'sell' = 'buy';
  for (let k = 0; k < series.length; k++) {
    const t0 = series.ts[k] as number;
    const open = series.open[k] as number;
    const high = series.high[k] as number;
    const low = series.low[k] as number;
    const close = series.close[k] as number;
    const units = toUnits(series.volume[k] as number);
    const quarter = units / 4n;
    const amounts = [quarter, quarter, quarter, units - 3n * quarter];
    const prices = close >= open ? [open, low, high, close] : [open, high, low, close];
    for (let q = 0; q < 4; q++) {
      const price = prices[q] as number;
      if (price > prevPrice) side = 'buy';
      else if (price < prevPrice) side = 'sell';
      prevPrice = price;
      trades.push({
        id: id++,
        ts: t0 + Math.floor((q * period) / 4),
        price,
        amount: unitsToNumber(amounts[q] as bigint),
        side,
      });
    }
  }
  return trades;
}
