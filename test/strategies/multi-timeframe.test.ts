import { describe, expect, it } from 'vitest';
import { isQtsError } from '../../src/core/QtsError.js';
import { randomWalkSeries } from '../../src/data/syntheticSeries.js';
import { HAS_SHARED_DATA } from '../support/sharedData.js';
import { ema } from './support/indicatorsByHand.js';
import { ETH_BTC_5M, itPinsTheTradeLog, runGolden, series } from './support/golden.js';

const PARAMS = { higherTimeframe: '1h', fast: 8, slow: 21, rsiPeriod: 14, entryRsi: 40, exitRsi: 70 };
const HOUR = 3_600_000;
const FIVE_MIN = 300_000;

describe.skipIf(!HAS_SHARED_DATA)('multi-timeframe on ETH/BTC 5m with 1h trend (golden)', () => {
  const s = series(ETH_BTC_5M);
  const r = runGolden('multi-timeframe', [s], PARAMS);

  itPinsTheTradeLog(r, {
    filled: 34,
    sent: 34,
    finalEquity: 1.03780708636511,
    sha256: '4a100bdccaf7c931b08552c54cb24ab60119132ecca27ac653fc5dfb71bd0cc4',
  });

  it('every entry came while the hourly EMA(8) was above EMA(21), from hours closed before the entry bar', () => {
    // Hourly closes built here from the 5m bars; an hour is known after its last 5m slot, or
    // (after a gap) once a bar of a later hour arrives. The data starts at 04:55: the 04:00
    // hour holds one of its twelve bars and is no hourly bar (the engine leaves it out).
    const closes: number[] = [];
    const knownAfter: number[] = [];
    let start = 0;
    while (
      start < s.length &&
      Math.floor((s.ts[start] as number) / HOUR) === Math.floor((s.ts[0] as number) / HOUR)
    )
      start++;
    if ((s.ts[0] as number) % HOUR === 0) start = 0;
    for (let i = start; i < s.length; i++) {
      const bucket = Math.floor((s.ts[i] as number) / HOUR);
      const next = i + 1 < s.length ? Math.floor((s.ts[i + 1] as number) / HOUR) : Infinity;
      if (next !== bucket) {
        closes.push(s.close[i] as number);
        const complete = (s.ts[i] as number) + FIVE_MIN === (bucket + 1) * HOUR;
        knownAfter.push(complete ? i : i + 1);
      }
    }
    const fast = ema(closes, PARAMS.fast);
    const slow = ema(closes, PARAMS.slow);
    const buys = r.fills.filter((f) => f.side === 'BUY');
    expect(buys.length).toBeGreaterThan(5);
    for (const f of buys) {
      const d = f.barIndex - 1;
      let h = -1;
      while (h + 1 < knownAfter.length && (knownAfter[h + 1] as number) < d) h++;
      expect(h).toBeGreaterThanOrEqual(slow.stableFrom);
      expect(fast.value[h] as number, `hour ${h} before bar ${d}`).toBeGreaterThan(slow.value[h] as number);
    }
  });
});

describe('multi-timeframe with a higher timeframe that is not higher', () => {
  const walk = randomWalkSeries({
    symbol: 'SYN/USDT',
    timeframe: '5m',
    length: 500,
    seed: 3,
    volatility: 0.01,
  });
  it.each(['5m', '1m'])(
    'refuses higherTimeframe=%s on 5m bars with a coded error instead of never trading',
    (tf) => {
      let err: unknown;
      try {
        runGolden('multi-timeframe', [walk], { higherTimeframe: tf });
      } catch (e) {
        err = e;
      }
      expect(isQtsError(err, 'ERR_INVALID_PARAMS')).toBe(true);
      expect((err as Error).message).toContain('higherTimeframe');
    },
  );

  it('runs with a higher timeframe that is a multiple of the primary one', () => {
    expect(runGolden('multi-timeframe', [walk], { higherTimeframe: '15m' }).report.bars).toBe(500);
  });
});
