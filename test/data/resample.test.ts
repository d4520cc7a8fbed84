import { describe, expect, it } from 'vitest';
import { timeframeToMs } from '../../src/core/time.js';
import type { Bar } from '../../src/model/Bar.js';
import type { BarSeries } from '../../src/model/BarSeries.js';
import { allocBarSeries, barAt } from '../../src/model/BarSeries.js';
import { BarAggregator } from '../../src/data/BarAggregator.js';
import { loadBarSeries } from '../../src/data/loadBarSeries.js';
import { resample } from '../../src/data/resample.js';
import { randomWalkSeries } from '../../src/data/syntheticSeries.js';
import { HAS_SHARED_DATA, sharedFile } from '../support/sharedData.js';
import { caught } from './caught.js';

const MIN = 60_000;
const T0 = Date.UTC(2024, 0, 1, 10, 0);

// [minute offset, open, high, low, close, volume]
function series(tf: string, rows: readonly (readonly number[])[]): BarSeries {
  const s = allocBarSeries('BTC/USDT', tf, rows.length);
  rows.forEach(([m, o, h, l, c, v], i) => {
    s.ts[i] = T0 + (m as number) * MIN;
    s.open[i] = o as number;
    s.high[i] = h as number;
    s.low[i] = l as number;
    s.close[i] = c as number;
    s.volume[i] = v as number;
  });
  return s;
}

function bars(s: BarSeries): Bar[] {
  return Array.from({ length: s.length }, (_, i) => barAt(s, i));
}

/** Streams `base` through an aggregator; returns closed bars in emission order and when each came out. */
function stream(base: BarSeries, target: string, drain: boolean): { out: Bar[]; at: number[] } {
  const agg = new BarAggregator(base.symbol, base.timeframe, target);
  const out: Bar[] = [];
  const at: number[] = [];
  const emit = (bar: Bar | undefined, i: number): void => {
    if (bar === undefined) return;
    out.push(bar);
    at.push(i);
  };
  for (let i = 0; i < base.length; i++) {
    emit(agg.update(barAt(base, i)), i);
    if (drain) emit(agg.takeClosed(), i);
  }
  emit(agg.takeClosed(), base.length);
  const forming = agg.current();
  emit(forming && { ...forming, closed: true }, base.length);
  return { out, at };
}

describe('resample', () => {
  it('aggregates OHLCV per UTC-aligned bucket, keeping partial buckets and skipping empty ones', () => {
    const s = series('5m', [
      [5, 10, 12, 9, 11, 1], // 10:05 - bucket 10:00 starts mid-way
      [10, 11, 13, 10, 12, 2],
      [15, 12, 12, 8, 9, 3], // bucket 10:15
      [25, 9, 10, 7, 8, 4],
      [45, 8, 9, 8, 9, 5], // bucket 10:45 (10:30 is empty)
    ]);
    const r = resample(s, '15m');
    expect([r.symbol, r.timeframe, r.length]).toEqual(['BTC/USDT', '15m', 3]);
    expect(bars(r).map((b) => [(b.ts - T0) / MIN, b.open, b.high, b.low, b.close, b.volume])).toEqual([
      [0, 10, 13, 9, 12, 3],
      [15, 12, 12, 7, 8, 7],
      [45, 8, 9, 8, 9, 5],
    ]);
  });

  it('starts weekly buckets on Monday 00:00 UTC, and 7d is the same as 1w', () => {
    const daily = randomWalkSeries({
      symbol: 'X',
      timeframe: '1d',
      length: 60,
      seed: 3,
      start: Date.UTC(2024, 0, 3),
    });
    const weekly = resample(daily, '1w');
    expect(Array.from(weekly.ts).every((t) => new Date(t).getUTCDay() === 1)).toBe(true);
    expect(weekly.ts[0]).toBe(Date.UTC(2024, 0, 1)); // 2024-01-03 is a Wednesday
    expect(weekly.open[0]).toBe(daily.open[0]);
    expect(weekly.close[0]).toBe(daily.close[4]); // Wed..Sun
    expect(Array.from(resample(daily, '7d').close)).toEqual(Array.from(weekly.close));
    // Other timeframes stay epoch-aligned: 3d buckets start on days divisible by 3 since 1970.
    expect(Array.from(resample(daily, '3d').ts).every((t) => t % (3 * 86_400_000) === 0)).toBe(true);
  });

  it('refuses targets that are not whole multiples, grids that do not line up, and off-grid bars', () => {
    const s = series('5m', [[0, 1, 1, 1, 1, 1]]);
    expect(caught(() => resample(s, '7m')).code).toBe('ERR_DATA_TIMEFRAME');
    expect(caught(() => resample(s, '1m')).message).toContain('1m is not a whole multiple of 5m');
    expect(caught(() => resample(series('7m', [[0, 1, 1, 1, 1, 1]]), '1w')).message).toContain(
      'do not start on 7m bar boundaries',
    );
    const off = series('5m', [[2, 1, 1, 1, 1, 1]]);
    expect(caught(() => resample(off, '15m')).message).toContain('does not start on a 5m boundary');
    expect(caught(() => resample(s, 'soon')).code).toBe('ERR_DATA_TIMEFRAME');
  });
});

describe('BarAggregator', () => {
  it('closes a bucket on its last base bar, or on a later bucket after a gap', () => {
    const s = series('1m', [
      [0, 1, 2, 1, 2, 1],
      [1, 2, 3, 2, 3, 1],
      [2, 3, 3, 1, 1, 1], // 10:03 and 10:04 are missing
      [9, 5, 6, 5, 6, 1], // the last minute of 10:05-10:09, alone
      [10, 6, 6, 6, 6, 1],
      [14, 6, 7, 6, 7, 1], // last minute of 10:10
    ]);
    const agg = new BarAggregator('BTC/USDT', '1m', '5m');
    expect(agg.update(barAt(s, 0))).toBeUndefined();
    expect(agg.current()).toEqual({
      symbol: 'BTC/USDT',
      timeframe: '5m',
      ts: T0,
      open: 1,
      high: 2,
      low: 1,
      close: 2,
      volume: 1,
      closed: false,
    });
    expect(agg.update(barAt(s, 1))).toBeUndefined();
    expect(agg.update(barAt(s, 2))).toBeUndefined();
    // 10:09 both ends 10:00 (after the gap) and completes 10:05: two closed bars at once.
    const first = agg.update(barAt(s, 3));
    expect(first).toMatchObject({ ts: T0, open: 1, high: 3, low: 1, close: 1, volume: 3, closed: true });
    expect(agg.current()).toBeUndefined();
    expect(agg.takeClosed()).toMatchObject({ ts: T0 + 5 * MIN, open: 5, close: 6, volume: 1, closed: true });
    expect(agg.takeClosed()).toBeUndefined();
    expect(agg.update(barAt(s, 4))).toBeUndefined();
    expect(agg.update(barAt(s, 5))).toMatchObject({ ts: T0 + 10 * MIN, high: 7, close: 7, volume: 2 });
  });

  it('returns a bar left pending by a gap from the next update when not drained', () => {
    const s = series('1m', [
      [0, 1, 1, 1, 1, 1],
      [9, 2, 2, 2, 2, 1],
      [10, 3, 3, 3, 3, 1],
    ]);
    const { out, at } = stream(s, '5m', false);
    expect(out.map((b) => (b.ts - T0) / MIN)).toEqual([0, 5, 10]);
    expect(at).toEqual([1, 2, 3]);
  });

  it('shows forming base bars in current() and takes their closed version as final', () => {
    const agg = new BarAggregator('BTC/USDT', '1m', '5m');
    const bar = (m: number, c: number, closed: boolean): Bar => ({
      symbol: 'BTC/USDT',
      timeframe: '1m',
      ts: T0 + m * MIN,
      open: 10,
      high: Math.max(10, c),
      low: Math.min(10, c),
      close: c,
      volume: 1,
      closed,
    });
    agg.update(bar(0, 11, true));
    agg.update(bar(1, 15, false));
    expect(agg.current()).toMatchObject({ high: 15, close: 15, volume: 2, closed: false });
    agg.update(bar(1, 9, false)); // a later state of the same forming minute replaces it
    expect(agg.current()).toMatchObject({ high: 11, low: 9, close: 9, volume: 2 });
    agg.update(bar(1, 12, true));
    expect(agg.current()).toMatchObject({ high: 12, low: 10, close: 12, volume: 2 });
    // A forming bar of the next bucket ends this one.
    expect(agg.update(bar(5, 13, false))).toMatchObject({ ts: T0, close: 12, volume: 2, closed: true });
    expect(agg.current()).toMatchObject({ ts: T0 + 5 * MIN, open: 10, close: 13, closed: false });
  });

  it('refuses other symbols or timeframes, old bars, and impossible targets', () => {
    const agg = new BarAggregator('BTC/USDT', '1m', '5m');
    const b = barAt(series('1m', [[3, 1, 1, 1, 1, 1]]), 0);
    agg.update(b);
    expect(caught(() => agg.update(b)).code).toBe('ERR_DATA_OUT_OF_ORDER');
    expect(caught(() => agg.update({ ...b, ts: b.ts + MIN, symbol: 'ETH/USDT' })).code).toBe(
      'ERR_DATA_MISMATCH',
    );
    expect(caught(() => agg.update({ ...b, ts: b.ts + MIN, timeframe: '5m' })).code).toBe(
      'ERR_DATA_MISMATCH',
    );
    expect(caught(() => agg.update({ ...b, ts: b.ts + MIN + 1 })).code).toBe('ERR_DATA_TIMEFRAME');
    expect(caught(() => new BarAggregator('BTC/USDT', '5m', '12m')).code).toBe('ERR_DATA_TIMEFRAME');
  });

  it('agrees with resample on a random walk, drained or not', () => {
    const base = randomWalkSeries({ symbol: 'X/Y', timeframe: '1m', length: 20_000, seed: 9 });
    for (const target of ['1m', '3m', '1h', '1d']) {
      const expected = bars(resample(base, target));
      expect(stream(base, target, true).out).toEqual(expected);
      expect(stream(base, target, false).out).toEqual(expected);
    }
  });
});

describe.skipIf(!HAS_SHARED_DATA)('resample and BarAggregator on the shared data', () => {
  const cases: readonly [string, readonly string[]][] = [
    ['crypto/spot-1m/UNITTEST_BTC-1m.csv', ['5m', '15m', '1h', '1d']],
    ['crypto/spot-1m/XRP_ETH-1m.csv', ['5m', '1h']],
    ['crypto/spot-5m/ADA_BTC-5m.csv', ['15m', '1h', '4h', '1d', '1w']],
    ['crypto/spot-5m/TRX_BTC-5m.csv', ['1h']],
    ['stocks-daily/orcl-1995-2014.txt', ['1w', '2w']],
  ];
  it.each(cases)(
    '%s: the stream gives exactly the resampled bars, each as early as it can',
    (rel, targets) => {
      const base = loadBarSeries(sharedFile(rel)).series;
      for (const target of targets) {
        const expected = resample(base, target);
        const { out, at } = stream(base, target, true);
        expect(out).toEqual(bars(expected));
        // Emitted on the base bar that completes the bucket, or on the first bar after it.
        const baseMs = timeframeToMs(base.timeframe);
        const targetMs = timeframeToMs(target);
        const late = out.filter((bar, k) => {
          const i = at[k] as number;
          if (i >= base.length) return false; // flushed at the end of the data
          const end = bar.ts + targetMs;
          const ts = base.ts[i] as number;
          if (ts + baseMs === end) return false; // on the bucket's last base bar
          // On the first bar after the bucket, only when its last base bar is missing.
          return !(ts >= end && i > 0 && (base.ts[i - 1] as number) + baseMs !== end);
        });
        expect(late).toEqual([]);
        // Volume is conserved and every bar holds its bucket's extremes.
        const sum = (a: Float64Array): number => a.reduce((x, y) => x + y, 0);
        expect(sum(expected.volume)).toBeCloseTo(sum(base.volume), 3);
        expect(Math.max(...expected.high)).toBe(Math.max(...base.high));
        expect(Math.min(...expected.low)).toBe(Math.min(...base.low));
      }
    },
  );

  it('1h from ADA/BTC 5m has the expected bar count and first bar', () => {
    const base = loadBarSeries(sharedFile('crypto/spot-5m/ADA_BTC-5m.csv')).series;
    const h = resample(base, '1h');
    // 2018-01-10 04:55 → 2018-01-30 04:50 UTC touches 481 clock hours; the 33-bar gap after
    // 2018-01-15 11:55 empties two of them (12:00 and 13:00).
    expect(h.length).toBe(479);
    expect(h.ts.indexOf(Date.UTC(2018, 0, 15, 12))).toBe(-1);
    expect(h.ts.indexOf(Date.UTC(2018, 0, 15, 14))).toBeGreaterThan(0);
    expect(h.ts[0]).toBe(Date.UTC(2018, 0, 10, 4));
    expect(h.open[0]).toBe(base.open[0]);
    expect(h.close[0]).toBe(base.close[0]);
  });
});
