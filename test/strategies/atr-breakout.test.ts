import { describe, expect, it } from 'vitest';
import { HAS_SHARED_DATA } from '../support/sharedData.js';
import { ETH_BTC_5M, itPinsTheTradeLog, runGolden, series } from './support/golden.js';

const PARAMS = { period: 14, k: 1, trail: 3 };

/** Wilder's ATR computed here from the raw bars: TR₀ = h − l, seed = mean of the first `period` TRs. */
function wilderAtr(high: Float64Array, low: Float64Array, close: Float64Array, period: number): Float64Array {
  const out = new Float64Array(close.length).fill(Number.NaN);
  let sum = 0;
  let atr = Number.NaN;
  for (let i = 0; i < close.length; i++) {
    const h = high[i] as number;
    const l = low[i] as number;
    const tr =
      i === 0
        ? h - l
        : Math.max(h - l, Math.abs(h - (close[i - 1] as number)), Math.abs(l - (close[i - 1] as number)));
    if (i < period) {
      sum += tr;
      if (i === period - 1) atr = sum / period;
    } else atr += (tr - atr) / period;
    out[i] = atr;
  }
  return out;
}

describe.skipIf(!HAS_SHARED_DATA)('atr-breakout on ETH/BTC 5m (golden)', () => {
  const s = series(ETH_BTC_5M);
  const r = runGolden('atr-breakout', [s], PARAMS);

  itPinsTheTradeLog(r, {
    filled: 58,
    sent: 58,
    finalEquity: 1.01097843767407,
    sha256: '2b16b0868e5441caf0cd45c7a24698cea0463128c8f15785be5af217d6ef97c6',
  });

  it('every entry closed above the previous high + k×ATR, every exit below the peak − trail×ATR', () => {
    const atr = wilderAtr(s.high, s.low, s.close, PARAMS.period);
    let entry = -1;
    expect(r.fills.length).toBeGreaterThan(10);
    for (const f of r.fills) {
      const d = f.barIndex - 1; // decided on the close before the fill's open
      expect(Math.abs(f.price / (s.open[f.barIndex] as number) - 1)).toBeLessThan(1e-12);
      if (f.side === 'BUY') {
        expect(s.close[d] as number).toBeGreaterThan(
          (s.high[d - 1] as number) + PARAMS.k * (atr[d - 1] as number),
        );
        entry = d;
      } else {
        // The stop trails the highest close from the entry decision to the bar before the exit.
        expect(entry).toBeGreaterThanOrEqual(0);
        let peak = -Infinity;
        for (let i = entry; i < d; i++) peak = Math.max(peak, s.close[i] as number);
        expect(s.close[d] as number).toBeLessThan(peak - PARAMS.trail * (atr[d - 1] as number));
        entry = -1;
      }
    }
  });
});
