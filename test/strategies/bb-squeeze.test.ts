import { describe, expect, it } from 'vitest';
import { HAS_SHARED_DATA } from '../support/sharedData.js';
import { rollingStd, sma } from './support/indicatorsByHand.js';
import { ETH_BTC_5M, itPinsTheTradeLog, runGolden, series } from './support/golden.js';

const PARAMS = { period: 20, k: 2, lookback: 120, memory: 12 };

describe.skipIf(!HAS_SHARED_DATA)('bb-squeeze on ETH/BTC 5m (golden)', () => {
  const s = series(ETH_BTC_5M);
  const r = runGolden('bb-squeeze', [s], PARAMS);

  itPinsTheTradeLog(r, {
    filled: 34,
    sent: 34,
    finalEquity: 0.97411259798319,
    sha256: 'eb0baa4a866c55c9e3b80503a4c80676e4fb14be832ef21e5a6f0e3a4699c4c5',
  });

  it('every entry broke above the upper band within `memory` bars of the narrowest width of `lookback` bars', () => {
    const mid = sma(s.close, PARAMS.period);
    const sd = rollingStd(s.close, PARAMS.period);
    const width = mid.map((m, i) => (2 * PARAMS.k * (sd[i] as number)) / m);
    const first = PARAMS.period - 1;
    const squeeze = (j: number): boolean => {
      if (j - PARAMS.lookback + 1 < first) return false;
      let min = Infinity;
      for (let t = j - PARAMS.lookback + 1; t <= j; t++) min = Math.min(min, width[t] as number);
      return (width[j] as number) <= min * (1 + 1e-9);
    };
    const buys = r.fills.filter((f) => f.side === 'BUY');
    expect(buys.length).toBeGreaterThan(5);
    for (const f of r.fills) {
      const d = f.barIndex - 1;
      const c = s.close[d] as number;
      if (f.side === 'SELL') {
        expect(c).toBeLessThan(mid[d] as number);
        continue;
      }
      expect(c).toBeGreaterThan((mid[d] as number) + PARAMS.k * (sd[d] as number));
      let recent = false;
      for (let j = d - PARAMS.memory; j <= d && !recent; j++) recent = squeeze(j);
      expect(recent, `squeeze before bar ${d}`).toBe(true);
    }
  });
});
