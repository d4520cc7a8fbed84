import { describe, expect, it } from 'vitest';
import { HAS_SHARED_DATA } from '../support/sharedData.js';
import { rollingStd, sma } from './support/indicatorsByHand.js';
import { ETH_BTC_5M, itPinsTheTradeLog, runGolden, series } from './support/golden.js';

const PARAMS = { volWindow: 24, regimeWindow: 288, threshold: 1, trendPeriod: 48 };

describe.skipIf(!HAS_SHARED_DATA)('vol-regime on ETH/BTC 5m (golden)', () => {
  const s = series(ETH_BTC_5M);
  const r = runGolden('vol-regime', [s], PARAMS);

  itPinsTheTradeLog(r, {
    filled: 474,
    sent: 474,
    finalEquity: 0.49628293749089,
    sha256: 'de5eee16bd70e3503b7db4dc31571d833240788889408c627a9c7be7a02729db',
  });

  it('entries only in the calm regime above the SMA; exits when turbulent or below it', () => {
    // Log return i is close[i]/close[i−1]; realized vol at bar i is the stdev of the last volWindow returns.
    const rets = new Float64Array(s.length - 1);
    for (let i = 1; i < s.length; i++)
      rets[i - 1] = Math.log((s.close[i] as number) / (s.close[i - 1] as number));
    const volOfRet = rollingStd(rets, PARAMS.volWindow);
    const baseline = sma(volOfRet.slice(PARAMS.volWindow - 1), PARAMS.regimeWindow);
    const ratio = (i: number): number =>
      (volOfRet[i - 1] as number) / (baseline[i - 1 - (PARAMS.volWindow - 1)] as number);
    const trend = sma(s.close, PARAMS.trendPeriod);
    expect(r.fills.length).toBeGreaterThan(20);
    for (const f of r.fills) {
      const d = f.barIndex - 1;
      const calm = ratio(d) < PARAMS.threshold;
      const above = (s.close[d] as number) > (trend[d] as number);
      if (f.side === 'BUY') expect(calm && above, `entry at ${d}`).toBe(true);
      else expect(!calm || (s.close[d] as number) < (trend[d] as number), `exit at ${d}`).toBe(true);
    }
  });
});
