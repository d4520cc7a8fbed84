import { afterAll, describe, expect, it } from 'vitest';
import { formatFixed } from '../../src/core/Fixed.js';
import { QtsError } from '../../src/core/QtsError.js';
import { loadFundingRates } from '../../src/data/loadFundingRates.js';
import { loadMarkPrices } from '../../src/data/loadMarkPrices.js';
import { HAS_SHARED_DATA, sharedFile } from '../support/sharedData.js';
import { tempFiles } from '../data/tempFiles.js';

const tmp = tempFiles('futures-loaders');
afterAll(() => tmp.remove());

function error(fn: () => unknown): QtsError {
  try {
    fn();
  } catch (e) {
    if (e instanceof QtsError) return e;
    throw e;
  }
  throw new Error('expected a QtsError');
}

describe('funding-rate and mark-price loaders', () => {
  it('parses rates from their text exactly, exponents and float noise included', () => {
    const path = tmp.write(
      'ABC_USDT_USDT-8h-funding_rate.csv',
      'timestamp,funding_rate\n1000,0.0001\n2000,2.024e-05\n3000,-0.0021933400000000002\n',
    );
    const f = loadFundingRates(path);
    expect(f.symbol).toBe('ABC/USDT:USDT');
    expect(f.ts).toEqual([1000, 2000, 3000]);
    expect(f.rate.map(formatFixed)).toEqual(['0.0001', '0.00002024', '-0.00219334']);
  });

  it.each([
    ['timestamp,funding_rate\n1000,0.0001\n2000,abc\n', ':3: funding_rate "abc" is not a number'],
    ['timestamp,funding_rate\n1000,0.0001,7\n', ':2: expected 2 columns'],
    ['timestamp,funding_rate\n2000,0.0001\n1000,0.0001\n', ':3: timestamp 1000 is before the row above'],
    ['timestamp,funding_rate\n2000,0.0001\n2000,0.0002\n', ':3: timestamp 2000 given twice'],
    ['timestamp,funding_rate\n2021-11-18,0.0001\n', ':2: timestamp "2021-11-18" is not Unix milliseconds'],
    ['timestamp,funding_rate\n1000,1.5\n', ':2: funding_rate 1.5 is beyond ±100 %'],
    // Binance's microsecond times read as ms would be fundings of the year 53000.
    [
      'timestamp,funding_rate\n1637193600000000,0.0001\n',
      ':2: timestamp 1637193600000000 is past the year 9999: are the timestamps Unix microseconds',
    ],
  ])('a malformed row is ERR_DATA_PARSE naming FILE:LINE (%#)', (content, message) => {
    const path = tmp.write('BAD_USDT_USDT-8h-funding_rate.csv', content);
    const e = error(() => loadFundingRates(path));
    expect(e.code).toBe('ERR_DATA_PARSE');
    expect(e.message.startsWith(`${path}${message}`)).toBe(true);
  });

  it('an unknown header, an empty body or a missing file are clear errors', () => {
    expect(
      error(() => loadFundingRates(tmp.write('X_USDT_USDT-8h-funding_rate.csv', 'ts,rate\n1,0.1\n'))).code,
    ).toBe('ERR_DATA_FORMAT');
    expect(
      error(() => loadFundingRates(tmp.write('Y_USDT_USDT-8h-funding_rate.csv', 'timestamp,funding_rate\n')))
        .message,
    ).toContain('no data rows');
    expect(error(() => loadFundingRates(`${tmp.dir}/nope.csv`)).code).toBe('ERR_DATA_NOT_FOUND');
  });

  it.skipIf(!HAS_SHARED_DATA)(
    'mark candles become published points: each open at its time, the last close at its end',
    () => {
      const { marks, warnings } = loadMarkPrices(sharedFile('crypto/futures/XRP_USDT_USDT-8h-mark.csv'));
      expect(warnings).toEqual([]);
      expect(marks.symbol).toBe('XRP/USDT:USDT');
      expect(marks.timeframe).toBe('8h');
      expect(marks.ts.length).toBe(92);
      expect([marks.ts[0], marks.price[0]]).toEqual([1637193600000, 1.0959]);
      expect(marks.ts[91]! - marks.ts[90]!).toBe(8 * 3600_000);
      const funding = loadFundingRates(sharedFile('crypto/futures/XRP_USDT_USDT-8h-funding_rate.csv'));
      expect(funding.ts.length).toBe(91);
    },
  );
});
