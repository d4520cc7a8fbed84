import { afterEach, describe, expect, it } from 'vitest';
import { loadBarSeries } from '../../src/data/loadBarSeries.js';
import { sliceSeries } from '../../src/data/sliceSeries.js';
import type { BarSeries } from '../../src/model/BarSeries.js';
import { allocBarSeries } from '../../src/model/BarSeries.js';
import { CandleStore } from '../../src/storage/sqlite/CandleStore.js';
import { HAS_SHARED_DATA, sharedFile } from '../support/sharedData.js';
import { tempDb } from './tempDb.js';

const t = tempDb('candles');
afterEach(() => t.remove());

const MIN5 = 300_000;

/** A clean 5m series of n bars from `start`, prices that are not round in binary. */
function series(n: number, start = 1_600_000_000_000 - (1_600_000_000_000 % MIN5)): BarSeries {
  const s = allocBarSeries('ETH/BTC', '5m', n);
  for (let i = 0; i < n; i++) {
    const p = 0.031 + i * 1e-7;
    s.ts[i] = start + i * MIN5;
    s.open[i] = p;
    s.high[i] = p + 0.0001;
    s.low[i] = p - 0.0001;
    s.close[i] = p + 0.00003;
    s.volume[i] = 100.1 + i;
  }
  return s;
}

const columns = (s: BarSeries) => [
  s.symbol,
  s.timeframe,
  s.length,
  s.ts,
  s.open,
  s.high,
  s.low,
  s.close,
  s.volume,
];

describe('CandleStore', () => {
  it('upsert is idempotent, updates revised candles, and range returns the exact doubles', () => {
    const db = t.open();
    const store = new CandleStore(db);
    const s = series(100);
    expect(store.upsert('binance', s)).toEqual({ rows: 100, inserted: 100, updated: 0, unchanged: 0 });
    expect(store.upsert('binance', s)).toEqual({ rows: 100, inserted: 0, updated: 0, unchanged: 100 });
    // The exchange revised the last (then still forming) candle; the download continues after it.
    const revised = series(110);
    revised.close[99] = 0.5;
    expect(store.upsert('binance', revised)).toEqual({ rows: 110, inserted: 10, updated: 1, unchanged: 99 });
    expect(store.count('binance', 'ETH/BTC', '5m')).toBe(110);
    expect(columns(store.range('binance', 'ETH/BTC', '5m'))).toEqual(columns(revised));
    // [from, to), like sliceSeries.
    const from = revised.ts[10] as number;
    const to = revised.ts[20] as number;
    expect(columns(store.range('binance', 'ETH/BTC', '5m', from, to))).toEqual(
      columns(sliceSeries(revised, from, to)),
    );
    expect(store.range('kraken', 'ETH/BTC', '5m').length).toBe(0);
    expect(store.lastTimestamp('binance', 'ETH/BTC', '5m')).toBe(revised.ts[109]);
    expect(store.firstTimestamp('binance', 'ETH/BTC', '5m')).toBe(revised.ts[0]);
    expect(store.lastTimestamp('binance', 'ETH/BTC', '1h')).toBeUndefined();
    expect(store.list()).toEqual([
      {
        exchange: 'binance',
        symbol: 'ETH/BTC',
        timeframe: '5m',
        count: 110,
        first: revised.ts[0],
        last: revised.ts[109],
      },
    ]);
  });

  it('writes 100k candles in one transaction, all or nothing', () => {
    const db = t.open();
    const store = new CandleStore(db);
    const big = series(100_000);
    expect(store.upsert('binance', big).inserted).toBe(100_000);
    expect(store.count('binance', 'ETH/BTC', '5m')).toBe(100_000);
    // A bad row at the end rolls back every row before it.
    const bad = series(1000, (big.ts[99_999] as number) + MIN5);
    bad.close[999] = NaN;
    expect(() => store.upsert('binance', bad)).toThrow(/NOT NULL/);
    expect(store.count('binance', 'ETH/BTC', '5m')).toBe(100_000);
    expect(db.inTransaction).toBe(false);
  });

  it('refuses open times that are not whole milliseconds and unknown timeframes', () => {
    const store = new CandleStore(t.open());
    const s = series(3);
    s.ts[1] = (s.ts[1] as number) + 0.5;
    expect(() => store.upsert('x', s)).toThrow(/not whole ms/);
    expect(() => store.upsert('x', { ...series(1), timeframe: '5 minutes' })).toThrow(/invalid timeframe/);
  });

  it('reports gaps between stored bars, and before/after them within given bounds', () => {
    const store = new CandleStore(t.open());
    const s = series(20);
    // Keep bars 0-4, 8-9, 10 and 15-19: holes of 3 and 4 bars.
    const keep = [0, 1, 2, 3, 4, 8, 9, 10, 15, 16, 17, 18, 19];
    const sparse = allocBarSeries('ETH/BTC', '5m', keep.length);
    keep.forEach((k, i) => {
      for (const col of ['ts', 'open', 'high', 'low', 'close', 'volume'] as const)
        sparse[col][i] = s[col][k] as number;
    });
    store.upsert('binance', sparse);
    const t0 = s.ts[0] as number;
    const at = (k: number) => t0 + k * MIN5;
    const report = store.gaps('binance', 'ETH/BTC', '5m');
    expect(report).toEqual({
      exchange: 'binance',
      symbol: 'ETH/BTC',
      timeframe: '5m',
      from: t0,
      to: at(20),
      present: 13,
      missing: 7,
      gaps: [
        { from: at(5), to: at(7), missing: 3 },
        { from: at(11), to: at(14), missing: 4 },
      ],
      offGrid: 0,
    });
    const bounded = store.gaps('binance', 'ETH/BTC', '5m', at(-2), at(23));
    expect(bounded.gaps).toEqual([
      { from: at(-2), to: at(-1), missing: 2 },
      { from: at(5), to: at(7), missing: 3 },
      { from: at(11), to: at(14), missing: 4 },
      { from: at(20), to: at(22), missing: 3 },
    ]);
    expect(bounded.missing + bounded.present).toBe(25);
    const none = store.gaps('kraken', 'ETH/BTC', '5m', at(0), at(4));
    expect(none).toMatchObject({ present: 0, missing: 4, gaps: [{ from: at(0), to: at(3), missing: 4 }] });
  });

  describe.skipIf(!HAS_SHARED_DATA)('on shared data', () => {
    it('ADA/BTC 5m: import twice changes nothing, range equals the file, and the 40 missing bars are found', () => {
      const { series: ada } = loadBarSeries(sharedFile('crypto/spot-5m/ADA_BTC-5m.csv'));
      const store = new CandleStore(t.open());
      expect(store.upsert('binance', ada)).toMatchObject({ rows: 5720, inserted: 5720 });
      expect(store.upsert('binance', ada)).toMatchObject({ inserted: 0, updated: 0, unchanged: 5720 });
      expect(columns(store.range('binance', 'ADA/BTC', '5m'))).toEqual(columns(ada));
      const report = store.gaps('binance', 'ADA/BTC', '5m');
      // The loader's own count: "40 missing 5m bars in 5 gaps", the largest 33 bars after 11:55.
      expect(report.present).toBe(5720);
      expect(report.missing).toBe(40);
      expect(report.gaps).toHaveLength(5);
      expect(report.offGrid).toBe(0);
      const largest = report.gaps.reduce((a, b) => (b.missing > a.missing ? b : a));
      expect(largest.missing).toBe(33);
      expect(new Date(largest.from).toISOString()).toBe('2018-01-15T12:00:00.000Z');
      expect(report.present + report.missing).toBe((report.to - report.from) / MIN5);
    });
  });
});
