import { afterAll, describe, expect, it } from 'vitest';
import { loadBarSeries } from '../../src/data/loadBarSeries.js';
import { caught } from './caught.js';
import { tempFiles } from './tempFiles.js';

const T0 = 1_514_764_800_000;
const quote = (line: string): string =>
  line
    .split(',')
    .map((cell) => `"${cell}"`)
    .join(',');

// RFC 4180 lets any field be quoted, and spreadsheet and R exports quote headers (and often
// every field): the same candles, quoted, must load as the same series.
describe('loadBarSeries: quoted CSV fields', () => {
  const tmp = tempFiles('load-quoted');
  afterAll(() => tmp.remove());

  it('reads a freqtrade CSV with every field quoted as the unquoted file', () => {
    const lines = [
      'timestamp,open,high,low,close,volume',
      `${T0},1e-3,0.002,0.0005,0.0015,10`,
      `${T0 + 300_000},0.0015,0.002,0.001,0.0012,0`,
    ];
    const plain = loadBarSeries(tmp.write('ETH_BTC-5m.csv', lines.join('\n')));
    for (const text of [
      lines.map(quote).join('\r\n'),
      [quote(lines[0] as string), ...lines.slice(1)].join('\n'),
    ]) {
      const quoted = loadBarSeries(tmp.write('ETH_BTC-5m.csv', text));
      expect(quoted).toEqual(plain);
    }
  });

  it('reads a Yahoo CSV with a quoted header and quoted dates and values, --adjusted too', () => {
    const lines = [
      'Date,Open,High,Low,Close,Adj Close,Volume',
      '1995-01-03,2.179012,2.191358,2.117284,2.117284,1.883304,36301200',
      '1995-01-04,2.123457,2.148148,2.092592,2.135803,1.899776,46051600',
    ];
    for (const adjusted of [false, true]) {
      const plain = loadBarSeries(tmp.write('orcl.csv', lines.join('\n')), { adjusted });
      const quoted = loadBarSeries(tmp.write('orcl.csv', lines.map(quote).join('\n')), { adjusted });
      expect(quoted).toEqual(plain);
      expect(Array.from(quoted.series.ts)).toEqual([Date.UTC(1995, 0, 3), Date.UTC(1995, 0, 4)]);
    }
  });

  it('still names what is wrong inside quotes', () => {
    const header = quote('timestamp,open,high,low,close,volume');
    const cases: readonly [string, string][] = [
      [`"${T0}","1","2","0.5","",10`, 'empty close'],
      [`"${T0}","1","2","0.5","x",10`, 'close ""x"" is not a number'],
      [`"${T0}","1","2","0.5",1.5,"10`, 'volume ""10" is not a number'],
    ];
    for (const [row, what] of cases) {
      const path = tmp.write('ETH_BTC-5m.csv', `${header}\n${row}\n`);
      const e = caught(() => loadBarSeries(path));
      expect([e.code, e.message]).toEqual(['ERR_DATA_PARSE', `${path}:2: ${what}`]);
    }
    const date = tmp.write(
      'orcl.csv',
      `Date,Open,High,Low,Close,Adj Close,Volume\n"1995-01-32",2,3,1,2,1.9,100\n`,
    );
    expect(caught(() => loadBarSeries(date)).message).toBe(
      `${date}:2: bad date ""1995-01-32"" (expected YYYY-MM-DD)`,
    );
  });
});
