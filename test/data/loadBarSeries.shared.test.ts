import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import type { BarSeries } from '../../src/model/BarSeries.js';
import { loadBarSeries } from '../../src/data/loadBarSeries.js';
import { HAS_SHARED_DATA, sharedFile } from '../support/sharedData.js';
import { caught } from './caught.js';
import { tempFiles } from './tempFiles.js';

// Reference parse of a CSV: slow, obviously right, used to check the fast parser value by value.
function naiveColumns(path: string, skip: readonly number[]): number[][] {
  const lines = readFileSync(path, 'utf8').trim().split('\n').slice(1);
  return lines.map((l) =>
    l
      .split(',')
      .filter((_, j) => !skip.includes(j))
      .map((cell, j) => (j === 0 && skip.length > 0 ? Date.parse(`${cell}T00:00:00Z`) : Number(cell))),
  );
}

function rowOf(s: BarSeries, i: number): number[] {
  return [s.ts[i], s.open[i], s.high[i], s.low[i], s.close[i], s.volume[i]].map((v) => v as number);
}

const CRYPTO: readonly [string, string, string, number, number | undefined][] = [
  // path, symbol, timeframe, bars, missing bars reported as gaps (undefined: no gap warning)
  ['crypto/spot-5m/ADA_BTC-5m.csv', 'ADA/BTC', '5m', 5720, 40],
  ['crypto/spot-5m/DASH_BTC-5m.csv', 'DASH/BTC', '5m', 5758, 2],
  ['crypto/spot-5m/ETC_BTC-5m.csv', 'ETC/BTC', '5m', 5759, undefined],
  ['crypto/spot-5m/ETH_BTC-5m.csv', 'ETH/BTC', '5m', 5760, undefined],
  ['crypto/spot-5m/LTC_BTC-5m.csv', 'LTC/BTC', '5m', 5760, undefined],
  ['crypto/spot-5m/NXT_BTC-5m.csv', 'NXT/BTC', '5m', 5760, undefined],
  ['crypto/spot-5m/TRX_BTC-5m.csv', 'TRX/BTC', '5m', 5754, 6],
  ['crypto/spot-5m/XLM_BTC-5m.csv', 'XLM/BTC', '5m', 5760, undefined],
  ['crypto/spot-5m/XMR_BTC-5m.csv', 'XMR/BTC', '5m', 5758, 2],
  ['crypto/spot-5m/ZEC_BTC-5m.csv', 'ZEC/BTC', '5m', 5757, 2],
  ['crypto/spot-1m/UNITTEST_BTC-1m.csv', 'UNITTEST/BTC', '1m', 13681, 717],
  ['crypto/spot-1m/XRP_ETH-1m.csv', 'XRP/ETH', '1m', 2469, 1091],
  ['crypto/futures/XRP_USDT_USDT-5m-futures.csv', 'XRP/USDT:USDT', '5m', 1999, undefined],
  ['crypto/futures/XRP_USDT_USDT-8h-mark.csv', 'XRP/USDT:USDT', '8h', 91, undefined],
];

describe.skipIf(!HAS_SHARED_DATA)('loadBarSeries on the shared reference data', () => {
  const tmp = tempFiles('load-shared');
  afterAll(() => tmp.remove());

  it.each(CRYPTO)('%s → %s %s, %i bars, gaps %s', (rel, symbol, timeframe, bars, missing) => {
    const path = sharedFile(rel);
    const { series, warnings } = loadBarSeries(path);
    expect(series.symbol).toBe(symbol);
    expect(series.timeframe).toBe(timeframe);
    expect(series.length).toBe(bars);
    const gaps = warnings.filter((w) => w.code === 'DATA_GAPS');
    expect(gaps.map((w) => w.count)).toEqual(missing === undefined ? [] : [missing]);
    expect(warnings.filter((w) => w.code !== 'DATA_GAPS')).toEqual([]);
    // Every value is exactly what Number() makes of the text, including 17-digit ones.
    const expected = naiveColumns(path, []);
    for (let i = 0; i < series.length; i++) {
      if (rowOf(series, i).some((v, j) => v !== expected[i]?.[j])) {
        expect({ line: i + 2, row: rowOf(series, i) }).toEqual({ line: i + 2, row: expected[i] });
      }
    }
  });

  it('reads ETH/BTC 5m first and last candles and describes the largest ADA gap', () => {
    const { series: s } = loadBarSeries(sharedFile('crypto/spot-5m/ETH_BTC-5m.csv'));
    expect(rowOf(s, 0)).toEqual([1515560100000, 0.0984, 0.0994766, 0.09828605, 0.0994766, 1820.54447418]);
    expect(rowOf(s, s.length - 1)).toEqual([
      1517287800000, 0.10440995, 0.10441058, 0.10400025, 0.10441057000000001, 31.94851561,
    ]);
    const ada = loadBarSeries(sharedFile('crypto/spot-5m/ADA_BTC-5m.csv')).warnings[0];
    expect(ada?.message).toContain('40 missing 5m bars in 5 gaps');
    expect(ada?.message).toContain('33 bars, after 2018-01-15T11:55:00.000Z');
  });

  it('reads Yahoo daily files as {TICKER}/USD 1d, priced from Close', () => {
    const path = sharedFile('stocks-daily/orcl-1995-2014.txt');
    const { series: s, warnings } = loadBarSeries(path);
    expect([s.symbol, s.timeframe, s.length]).toEqual(['ORCL/USD', '1d', 5036]);
    expect(rowOf(s, 0)).toEqual([Date.UTC(1995, 0, 3), 2.179012, 2.191358, 2.117284, 2.117284, 36301200]);
    expect(rowOf(s, s.length - 1)).toEqual([
      Date.UTC(2014, 11, 31),
      45.450001,
      45.560001,
      44.970001,
      44.970001,
      13269200,
    ]);
    // Weekday-only daily data: weekends are closures; the 181 absent weekdays (holidays, 9/11) are
    // gaps, as an independent count of the file by date confirms.
    expect(warnings.map((w) => [w.code, w.count])).toEqual([['DATA_GAPS', 181]]);
    const expected = naiveColumns(path, [5]);
    expect(Array.from(s.close)).toEqual(expected.map((r) => r[4]));
    expect(Array.from(s.ts)).toEqual(expected.map((r) => r[0]));
    expect(loadBarSeries(sharedFile('stocks-daily/nvda-1999-2014.txt')).series.symbol).toBe('NVDA/USD');
  });

  it('with adjusted: true scales O/H/L/C by AdjClose/Close per row and leaves volume alone', () => {
    const path = sharedFile('stocks-daily/orcl-1995-2014.txt');
    const raw = loadBarSeries(path).series;
    const adj = loadBarSeries(path, { adjusted: true }).series;
    const adjClose = naiveColumns(path, []).map((r) => r[5] as number);
    expect(adj.length).toBe(raw.length);
    for (let i = 0; i < adj.length; i++) {
      const f = (adjClose[i] as number) / (raw.close[i] as number);
      expect(adj.open[i]).toBe((raw.open[i] as number) * f);
      expect(adj.high[i]).toBe((raw.high[i] as number) * f);
      expect(adj.low[i]).toBe((raw.low[i] as number) * f);
      expect(adj.close[i]).toBeCloseTo(adjClose[i] as number, 12);
      expect(adj.volume[i]).toBe(raw.volume[i]);
    }
    // ORCL paid dividends, so early adjusted prices sit well below the traded ones.
    expect(adj.close[0]).toBe(1.883304);
    expect(adj.open[0]).toBeCloseTo(1.93821, 5);
    expect((adj.close[0] as number) / (raw.close[0] as number)).toBeLessThan(0.9);
  });

  it('reads the same candles from ccxt-array JSON and from object JSON', () => {
    const { series: csv } = loadBarSeries(sharedFile('crypto/spot-5m/DASH_BTC-5m.csv'));
    const arrays = Array.from({ length: csv.length }, (_, i) => rowOf(csv, i));
    const objects = arrays.map(([timestamp, open, high, low, close, volume]) => ({
      timestamp,
      open,
      high,
      low,
      close,
      volume,
    }));
    const a = loadBarSeries(tmp.write('DASH_BTC-5m.json', JSON.stringify(arrays)));
    const o = loadBarSeries(tmp.write('DASH_BTC-5m-objects.json', JSON.stringify(objects, null, 2)));
    for (const { series, warnings } of [a, o]) {
      expect([series.symbol, series.timeframe, series.length]).toEqual(['DASH/BTC', '5m', 5758]);
      expect(Array.from(series.close)).toEqual(Array.from(csv.close));
      expect(Array.from(series.ts)).toEqual(Array.from(csv.ts));
      expect(warnings.map((w) => w.count)).toEqual([2]);
    }
  });

  it('refuses the funding-rate file as an unknown format', () => {
    const path = sharedFile('crypto/futures/XRP_USDT_USDT-8h-funding_rate.csv');
    const e = caught(() => loadBarSeries(path));
    expect(e.code).toBe('ERR_DATA_FORMAT');
    expect(e.message).toContain(`${path}: unknown header "timestamp,funding_rate"`);
  });
});
