import { describe, expect, it } from 'vitest';
import { HAS_SHARED_DATA } from '../support/sharedData.js';
import { ETH_BTC_5M, itPinsTheTradeLog, runGolden, series } from './support/golden.js';

const PARAMS = { erPeriod: 10, fast: 2, slow: 30, filter: 0.5 };

describe.skipIf(!HAS_SHARED_DATA)('adaptive (KAMA) on ETH/BTC 5m (golden)', () => {
  const s = series(ETH_BTC_5M);
  const r = runGolden('adaptive', [s], PARAMS);

  itPinsTheTradeLog(r, {
    filled: 1021,
    sent: 1021,
    finalEquity: 0.25452495995805,
    sha256: 'b8632d7a6fd6efbb40f9446e584c7f11c4a0f1c091414141cccab22590f41b57',
  });

  it("every entry closed above Kaufman's KAMA + filter band, every exit below KAMA − band", () => {
    const n = PARAMS.erPeriod;
    const fastSc = 2 / (PARAMS.fast + 1);
    const slowSc = 2 / (PARAMS.slow + 1);
    const kama = new Float64Array(s.length).fill(Number.NaN);
    const band = new Float64Array(s.length).fill(Number.NaN);
    const changes: number[] = [];
    for (let i = n; i < s.length; i++) {
      const c = s.close[i] as number;
      if (i === n) {
        kama[i] = c;
        continue;
      }
      let noise = 0;
      for (let j = i - n + 1; j <= i; j++)
        noise += Math.abs((s.close[j] as number) - (s.close[j - 1] as number));
      const er = noise === 0 ? 1 : Math.abs(c - (s.close[i - n] as number)) / noise;
      const sc = (er * (fastSc - slowSc) + slowSc) ** 2;
      kama[i] = (kama[i - 1] as number) + sc * (c - (kama[i - 1] as number));
      changes.push((kama[i] as number) - (kama[i - 1] as number));
      if (changes.length >= n) {
        const w = changes.slice(-n);
        const m = w.reduce((a, b) => a + b, 0) / n;
        band[i] = PARAMS.filter * Math.sqrt(w.reduce((a, b) => a + (b - m) ** 2, 0) / n);
      }
    }
    expect(r.fills.length).toBeGreaterThan(20);
    for (const f of r.fills) {
      const d = f.barIndex - 1;
      const c = s.close[d] as number;
      if (f.side === 'BUY') expect(c).toBeGreaterThan((kama[d] as number) + (band[d] as number));
      else expect(c).toBeLessThan((kama[d] as number) - (band[d] as number));
    }
  });
});
