import { afterAll, describe, expect, it } from 'vitest';
import { loadBarSeries } from '../../src/data/loadBarSeries.js';
import { caught } from './caught.js';
import { tempFiles } from './tempFiles.js';

const YAHOO = 'Date,Open,High,Low,Close,Adj Close,Volume';
const NULLS = 'null,null,null,null,null,null';
const day = (date: string, close = '10.5'): string => `${date},10,11,9,${close},5.25,100`;

// Yahoo's download writes a row of `null`s for a day it has no prices for (a holiday it lists
// anyway, a suspended session). Such a row holds no candle: it is skipped, counted, and the day
// is a gap like any other missing weekday; a row only partly null stays an error.
describe('loadBarSeries: Yahoo rows of nulls', () => {
  const tmp = tempFiles('yahoo-null');
  afterAll(() => tmp.remove());

  it('skips a row of nulls with a counted warning, and counts its day as a gap', () => {
    // 2015-01-19 is Martin Luther King Day, a Monday.
    const text = [YAHOO, day('2015-01-16'), `2015-01-19,${NULLS}`, day('2015-01-20'), day('2015-01-21')];
    for (const eol of ['\n', '\r\n']) {
      const path = tmp.write('ibm.csv', text.join(eol) + eol);
      const { series, warnings } = loadBarSeries(path);
      expect(Array.from(series.ts)).toEqual([
        Date.UTC(2015, 0, 16),
        Date.UTC(2015, 0, 20),
        Date.UTC(2015, 0, 21),
      ]);
      expect([series.symbol, series.timeframe]).toEqual(['IBM/USD', '1d']);
      expect(warnings.map((w) => [w.code, w.count])).toEqual([
        ['DATA_NULL_ROWS', 1],
        ['DATA_GAPS', 1],
      ]);
      expect(warnings[0]?.message).toBe(
        `${path}: skipped 1 row of nulls (a day without prices), on line 3; its day is left as a gap`,
      );
    }
  });

  it('skips them with --adjusted too, and keeps the lines of later rows right', () => {
    const text = [YAHOO, `2015-01-15,${NULLS}`, day('2015-01-16'), `2015-01-19,${NULLS}`, day('2015-01-20')];
    const path = tmp.write('ibm.csv', text.join('\n'));
    const { series, warnings } = loadBarSeries(path, { adjusted: true });
    expect(Array.from(series.close)).toEqual([5.25, 5.25]);
    expect(warnings[0]?.message).toBe(
      `${path}: skipped 2 rows of nulls (days without prices), the first on line 2; their days are left as gaps`,
    );
    // Two different rows for one day: both named by their own lines, past the skipped rows.
    const dup = tmp.write('ibm.csv', [...text, day('2015-01-20', '10.75')].join('\n'));
    const e = caught(() => loadBarSeries(dup));
    expect(e.code).toBe('ERR_DATA_DUPLICATE');
    expect(e.message).toBe(
      `${dup}:6: timestamp 2015-01-20T00:00:00.000Z also on line 5 with different values`,
    );
  });

  it('a file of nothing but nulls has no data rows; a bad date on a null row is still an error', () => {
    const empty = tmp.write('ibm.csv', `${YAHOO}\n2015-01-19,${NULLS}\n`);
    const e = caught(() => loadBarSeries(empty));
    expect([e.code, e.message]).toEqual(['ERR_DATA_FORMAT', `${empty}: no data rows`]);
    const badDate = tmp.write('ibm.csv', `${YAHOO}\n${day('2015-01-16')}\n2015-01-32,${NULLS}\n`);
    expect(caught(() => loadBarSeries(badDate)).message).toBe(
      `${badDate}:3: bad date "2015-01-32" (expected YYYY-MM-DD)`,
    );
  });
});
