import { afterAll, describe, expect, it } from 'vitest';
import { loadTradesCsv } from '../../src/data/loadTradesCsv.js';
import { caught } from './caught.js';
import { tempFiles } from './tempFiles.js';

const HEADER = 'timestamp,id,side,price,amount';
const GOOD = '1570752011620,13519807,sell,0.00141342,23.0';

// A trade tape is replayed in time order: a timestamp that is not Unix ms (empty, hex, a
// fraction, microseconds) must name its line, never become a trade at 1970-01-01 or in the
// year 51700 that the replay would then put first or last.
describe('loadTradesCsv: timestamps', () => {
  const tmp = tempFiles('load-trades');
  afterAll(() => tmp.remove());

  const cases: readonly [string, string][] = [
    ['', 'bad timestamp "" (expected Unix ms)'],
    ['0x5b5', 'bad timestamp "0x5b5" (expected Unix ms)'],
    ['12.5', 'timestamp 12.5 is not a non-negative integer of Unix ms'],
    [
      '1570752011620000',
      'timestamp 1570752011620000 is past the year 9999: are the timestamps Unix microseconds or nanoseconds? They must be milliseconds',
    ],
  ];
  it.each(cases)('refuses %j naming its line', (ts, what) => {
    const path = tmp.write('XRP_ETH-trades.csv', `${HEADER}\n${GOOD}\n${ts},13519808,sell,0.00141266,54.0\n`);
    const e = caught(() => loadTradesCsv(path));
    expect([e.code, e.message]).toEqual(['ERR_DATA_PARSE', `${path}:3: ${what}`]);
  });

  it('refuses a hex price or amount rather than reading it as hex', () => {
    for (const [row, what] of [
      ['1570752011621,13519808,sell,0x1,54.0', 'bad price "0x1"'],
      ['1570752011621,13519808,sell,0.00141266,0x36', 'bad amount "0x36"'],
    ]) {
      const path = tmp.write('XRP_ETH-trades.csv', `${HEADER}\n${GOOD}\n${row}\n`);
      expect(caught(() => loadTradesCsv(path)).message).toBe(`${path}:3: ${what}`);
    }
  });

  it('reads a good tape with CRLF endings and spaces around the timestamp', () => {
    const path = tmp.write(
      'XRP_ETH-trades.csv',
      `${HEADER}\r\n ${GOOD}\r\n1570752011621,13519808,buy,0.00141266,54.0\r\n`,
    );
    expect(loadTradesCsv(path).map((t) => [t.ts, t.side])).toEqual([
      [1570752011620, 'SELL'],
      [1570752011621, 'BUY'],
    ]);
  });
});
