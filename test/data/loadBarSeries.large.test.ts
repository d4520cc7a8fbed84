import { afterAll, describe, expect, it } from 'vitest';
import { loadBarSeries } from '../../src/data/loadBarSeries.js';
import { randomWalkSeries } from '../../src/data/syntheticSeries.js';
import { writeBarSeriesCsv } from '../../src/data/writeBarSeriesCsv.js';
import { tempFiles } from './tempFiles.js';

describe('loadBarSeries on a 1,000,000-row CSV', () => {
  const tmp = tempFiles('load-large');
  afterAll(() => tmp.remove());

  it('reads back exactly what writeBarSeriesCsv wrote', () => {
    // Random-walk prices print with 15-17 significant digits: the hardest case for the
    // fast number parser, and every value must come back bit for bit.
    const original = randomWalkSeries({ symbol: 'BTC/USDT', timeframe: '1m', length: 1_000_000, seed: 42 });
    const path = `${tmp.dir}/BTC_USDT-1m.csv`;
    writeBarSeriesCsv(path, original);
    const { series, warnings } = loadBarSeries(path);
    expect(warnings).toEqual([]);
    expect([series.symbol, series.timeframe, series.length]).toEqual(['BTC/USDT', '1m', 1_000_000]);
    let mismatches = 0;
    for (const col of ['ts', 'open', 'high', 'low', 'close', 'volume'] as const) {
      const a = original[col];
      const b = series[col];
      for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) mismatches++;
    }
    expect(mismatches).toBe(0);
    expect(series.close[999_999]).toBe(original.close[999_999]);
  });
});
