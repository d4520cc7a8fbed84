import { describe, expect, it } from 'vitest';
import { HAS_SHARED_DATA } from '../support/sharedData.js';
import { efficiencyRatio, ema, rollingStd, sma } from './support/indicatorsByHand.js';
import { ETH_BTC_5M, itPinsTheTradeLog, runGolden, series } from './support/golden.js';

const PARAMS = { detectorPeriod: 48, trendThreshold: 0.3, fast: 12, slow: 26, bandPeriod: 20, bandK: 2 };

describe.skipIf(!HAS_SHARED_DATA)('regime-switching on ETH/BTC 5m (golden)', () => {
  const s = series(ETH_BTC_5M);
  const r = runGolden('regime-switching', [s], PARAMS);

  itPinsTheTradeLog(r, {
    filled: 256,
    sent: 256,
    finalEquity: 0.76469982243728,
    sha256: '5f933adf81bb5ed3f57b78f205aa0cef1e9266e106f6cffe41b923188a222637',
  });

  it('each order follows the rule of the regime the efficiency ratio named, and both regimes traded', () => {
    const er = efficiencyRatio(s.close, PARAMS.detectorPeriod);
    const fast = ema(s.close, PARAMS.fast).value;
    const slow = ema(s.close, PARAMS.slow).value;
    const mid = sma(s.close, PARAMS.bandPeriod);
    const sd = rollingStd(s.close, PARAMS.bandPeriod);
    const used = { trend: 0, range: 0 };
    for (const f of r.fills) {
      const d = f.barIndex - 1;
      const c = s.close[d] as number;
      const trending = (er[d] as number) >= PARAMS.trendThreshold;
      used[trending ? 'trend' : 'range'] += 1;
      if (trending) expect((fast[d] as number) > (slow[d] as number), `bar ${d}`).toBe(f.side === 'BUY');
      else if (f.side === 'BUY')
        expect(c).toBeLessThan((mid[d] as number) - PARAMS.bandK * (sd[d] as number));
      else expect(c).toBeGreaterThan(mid[d] as number);
    }
    expect(used.trend).toBeGreaterThan(0);
    expect(used.range).toBeGreaterThan(0);
  });
});
