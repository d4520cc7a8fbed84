import { afterAll, describe, expect, it } from 'vitest';
import { loadBarSeries } from '../../src/data/loadBarSeries.js';
import { caught } from './caught.js';
import { tempFiles } from './tempFiles.js';

const HEADER = 'timestamp,open,high,low,close,volume';
const MS = 1_514_764_800_000; // 2018-01-01T00:00Z
const hint =
  'is past the year 9999: are the timestamps Unix microseconds or nanoseconds? They must be milliseconds';

// Exchanges and tools also write candle times in microseconds (Binance spot klines with
// timeUnit=MICROSECOND) or nanoseconds (pandas datetime64). Read as milliseconds those are bars of
// the year 49970 — and an inferred "5000m" timeframe — so they are refused with the likely cause,
// as Unix seconds are (their times fall in 1970-73).
describe('loadBarSeries: timestamps that cannot be Unix milliseconds', () => {
  const tmp = tempFiles('load-timestamps');
  afterAll(() => tmp.remove());

  it('refuses microseconds and nanoseconds in CSV, naming the line and the likely unit', () => {
    for (const [scale, name] of [
      [1000, 'us_BTC-5m.csv'],
      [1000, 'prices.csv'],
      [1_000_000, 'ns_BTC-5m.csv'],
    ] as const) {
      const rows = [0, 1, 2].map((k) => `${(MS + k * 300_000) * scale},1,2,0.5,1.5,10`);
      const path = tmp.write(name, [HEADER, ...rows].join('\n'));
      const e = caught(() => loadBarSeries(path));
      expect(e.code).toBe('ERR_DATA_PARSE');
      expect(e.message).toBe(`${path}:2: timestamp ${MS * scale} ${hint}`);
    }
  });

  it('refuses microseconds in JSON, as numbers or numeric strings', () => {
    const candle = (t: number | string): unknown[] => [t, 1, 2, 0.5, 1.5, 10];
    const path = tmp.write(
      'BTC_USDT-5m.json',
      JSON.stringify([candle(MS), candle(`${(MS + 300_000) * 1000}`)]),
    );
    const e = caught(() => loadBarSeries(path));
    expect(e.code).toBe('ERR_DATA_PARSE');
    expect(e.message).toBe(`${path}:1: element [1]: timestamp ${(MS + 300_000) * 1000} ${hint}`);
  });

  it('a stray timestamp past the year 9999 is a parse error naming its line, not a gap of 3e10 bars', () => {
    const rows = [
      `${MS},1,2,0.5,1.5,10`,
      '9000000000000000,1,2,0.5,1.5,10',
      `${MS + 600_000},1,2,0.5,1.5,10`,
    ];
    const path = tmp.write('BTC_USDT-5m.csv', [HEADER, ...rows].join('\n'));
    const e = caught(() => loadBarSeries(path));
    expect(e.code).toBe('ERR_DATA_PARSE');
    expect(e.message).toBe(`${path}:3: timestamp 9000000000000000 ${hint}`);
  });

  it('accepts the last millisecond of 9999, so no real date is refused', () => {
    const last = Date.UTC(9999, 11, 31, 23, 55);
    const path = tmp.write(
      'FAR_USD-5m.csv',
      `${HEADER}\n${last - 300_000},1,2,0.5,1.5,10\n${last},1,2,0.5,1.5,10\n`,
    );
    expect(Array.from(loadBarSeries(path).series.ts)).toEqual([last - 300_000, last]);
  });
});
