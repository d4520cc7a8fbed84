import { describe, expect, it } from 'vitest';
import { randomWalkSeries } from '../../src/data/syntheticSeries.js';

describe('randomWalkSeries', () => {
  it('is deterministic per seed and differs across seeds', () => {
    const a = randomWalkSeries({ symbol: 'X/Y', timeframe: '5m', length: 10_000, seed: 7 });
    const b = randomWalkSeries({ symbol: 'X/Y', timeframe: '5m', length: 10_000, seed: 7 });
    const c = randomWalkSeries({ symbol: 'X/Y', timeframe: '5m', length: 10_000, seed: 8 });
    for (const col of ['ts', 'open', 'high', 'low', 'close', 'volume'] as const) {
      expect(Buffer.from(a[col].buffer).equals(Buffer.from(b[col].buffer))).toBe(true);
    }
    expect(Buffer.from(a.close.buffer).equals(Buffer.from(c.close.buffer))).toBe(false);
    expect(a.ts[0]).toBe(Date.UTC(2020, 0, 1));
    expect(a.open[0]).toBe(100);
  });

  it('keeps OHLCV consistent, continuous and on the timeframe grid', () => {
    const s = randomWalkSeries({
      symbol: 'X/Y',
      timeframe: '1h',
      length: 200_000,
      seed: 11,
      start: Date.UTC(2021, 5, 1),
      startPrice: 0.05,
      volatility: 0.03,
    });
    expect([s.symbol, s.timeframe, s.length]).toEqual(['X/Y', '1h', 200_000]);
    expect(s.open[0]).toBe(0.05);
    let bad = 0;
    let sumSq = 0;
    for (let i = 0; i < s.length; i++) {
      const o = s.open[i] as number;
      const h = s.high[i] as number;
      const l = s.low[i] as number;
      const c = s.close[i] as number;
      const v = s.volume[i] as number;
      if (!(h >= o && h >= c && l <= o && l <= c && l > 0 && v > 0)) bad++;
      if (s.ts[i] !== Date.UTC(2021, 5, 1) + i * 3_600_000) bad++;
      if (i > 0 && o !== s.close[i - 1]) bad++;
      sumSq += Math.log(c / o) ** 2;
    }
    expect(bad).toBe(0);
    // The per-bar log return has the requested standard deviation.
    expect(Math.sqrt(sumSq / s.length)).toBeCloseTo(0.03, 3);
  });

  it('refuses impossible options', () => {
    const base = { symbol: 'X', timeframe: '1m', length: 10, seed: 1 };
    expect(() => randomWalkSeries({ ...base, length: -1 })).toThrow(RangeError);
    expect(() => randomWalkSeries({ ...base, length: 1.5 })).toThrow(RangeError);
    expect(() => randomWalkSeries({ ...base, startPrice: 0 })).toThrow(RangeError);
    expect(() => randomWalkSeries({ ...base, volatility: -0.1 })).toThrow(RangeError);
    expect(() => randomWalkSeries({ ...base, timeframe: '1x' })).toThrow(/invalid timeframe/);
    expect(randomWalkSeries({ ...base, length: 0 }).length).toBe(0);
  });
});
