import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadBarSeries } from '../../src/data/loadBarSeries.js';
import { loadFundingRates } from '../../src/data/loadFundingRates.js';
import { loadTradesCsv } from '../../src/data/loadTradesCsv.js';
import { caught } from './caught.js';
import { tempFiles } from './tempFiles.js';

const HEADER = 'timestamp,open,high,low,close,volume';
const YAHOO = 'Date,Open,High,Low,Close,Adj Close,Volume';
const T0 = 1_700_000_000_000 - (1_700_000_000_000 % 300_000);
const row = (k: number, rest = '10,11,9,10.5,100'): string => `${T0 + k * 300_000},${rest}`;

describe('loadBarSeries: malformed rows fail with ERR_DATA_PARSE FILE:LINE:', () => {
  const tmp = tempFiles('load-errors');
  afterAll(() => tmp.remove());

  // [case, bad row (written as line 3), expected text after "FILE:3: "]
  const cases: readonly [string, string, string][] = [
    ['too few columns', `${T0 + 300_000},10,11,9,10.5`, 'expected 6 columns, got 5'],
    ['too many columns', `${T0 + 300_000},10,11,9,10.5,100,7`, 'expected 6 columns, got 7'],
    ['non-numeric', row(1, '10,abc,9,10.5,100'), 'high "abc" is not a number'],
    ['NaN', row(1, '10,11,NaN,10.5,100'), 'low is NaN'],
    ['empty value', row(1, '10,11,9,,100'), 'empty close'],
    ['infinite', row(1, '10,11,9,10.5,1e999'), 'volume "1e999" is out of range'],
    ['zero price', row(1, '0,11,9,10.5,100'), 'non-positive price: open 0'],
    ['negative price', row(1, '10,11,-9,10.5,100'), 'non-positive price: low -9'],
    ['negative volume', row(1, '10,11,9,10.5,-1'), 'negative volume -1'],
    ['high below open', row(1, '12,11,9,10.5,100'), 'high 11 is below open 12'],
    ['high below close', row(1, '10,11,9,11.5,100'), 'high 11 is below close 11.5'],
    ['low above open', row(1, '10,11,10.2,10.5,100'), 'low 10.2 is above open 10'],
    ['low above close', row(1, '10.5,11,10.2,10,100'), 'low 10.2 is above close 10'],
    [
      'fractional timestamp',
      `${T0 + 0.5},10,11,9,10.5,100`,
      `timestamp ${T0 + 0.5} is not a non-negative integer of Unix ms`,
    ],
    ['garbage after a number', row(1, '10,11,9,10.5x,100'), 'close "10.5x" is not a number'],
    ['a lone dot', row(1, '10,11,9,.,100'), 'close "." is not a number'],
  ];
  it.each(cases)('%s', (_name, bad, what) => {
    const path = tmp.write('BTC_USDT-5m.csv', `${HEADER}\n${row(0)}\n${bad}\n${row(2)}\n`);
    const e = caught(() => loadBarSeries(path));
    expect(e.code).toBe('ERR_DATA_PARSE');
    expect(e.message).toBe(`${path}:3: ${what}`);
  });

  it('counts lines across blank lines and CRLF endings', () => {
    const path = tmp.write(
      'BTC_USDT-5m.csv',
      `${HEADER}\r\n\r\n${row(0)}\r\n\n${row(1, '10,11,9,10.5,x')}\r\n`,
    );
    expect(caught(() => loadBarSeries(path)).message).toBe(`${path}:5: volume "x" is not a number`);
  });

  const yahooCases: readonly [string, string, string][] = [
    ['bad month', '1995-13-03,2,3,1,2,1.9,100', 'bad date "1995-13-03" (expected YYYY-MM-DD)'],
    ['bad day', '1995-02-29,2,3,1,2,1.9,100', 'bad date "1995-02-29" (expected YYYY-MM-DD)'],
    ['slashes', '03/01/1995,2,3,1,2,1.9,100', 'bad date "03/01/1995" (expected YYYY-MM-DD)'],
    ['missing adj close', '1995-01-04,2,3,1,2,100', 'expected 7 columns, got 6'],
    ['null value', '1995-01-04,2,null,1,2,1.9,100', 'high "null" is not a number'],
    ['zero adj close', '1995-01-04,2,3,1,2,0,100', 'non-positive price: adj close 0'],
  ];
  it.each(yahooCases)('yahoo: %s', (_name, bad, what) => {
    const path = tmp.write('ibm.csv', `${YAHOO}\n1995-01-03,2,3,1,2,1.9,100\n${bad}\n`);
    const e = caught(() => loadBarSeries(path));
    expect(e.code).toBe('ERR_DATA_PARSE');
    expect(e.message).toBe(`${path}:3: ${what}`);
  });

  it('accepts a leap day', () => {
    const path = tmp.write('ibm.csv', `${YAHOO}\n1996-02-28,2,3,1,2,1.9,100\n1996-02-29,2,3,1,2,1.9,100\n`);
    expect(Array.from(loadBarSeries(path).series.ts)).toEqual([Date.UTC(1996, 1, 28), Date.UTC(1996, 1, 29)]);
  });

  it('names the JSON line where a bad element starts', () => {
    const json = `[\n  [${T0}, 10, 11, 9, 10.5, 100],\n  [${T0 + 300_000}, 10, 11, 9, 10.5],\n  [${T0 + 600_000}, 10, 11, 9, 10.5, 1]\n]`;
    const path = tmp.write('BTC_USDT-5m.json', json);
    const e = caught(() => loadBarSeries(path));
    expect(e.code).toBe('ERR_DATA_PARSE');
    expect(e.message).toBe(`${path}:3: expected 6 values [timestamp, open, high, low, close, volume], got 5`);

    const objects = `[{"ts": ${T0}, "open": 1, "high": 1, "low": 1, "close": 1, "volume": 1},\n{"time": "x", "open": 1, "high": 1, "low": 1, "close": 1, "volume": 1}]`;
    const p2 = tmp.write('BTC_USDT-5m.json', objects);
    expect(caught(() => loadBarSeries(p2)).message).toBe(
      `${p2}:2: bad timestamp "x" (expected Unix ms or ISO-8601)`,
    );

    const missing = `[{"timestamp": ${T0}, "open": 1, "high": 1, "low": 1, "close": 1}]`;
    const p3 = tmp.write('BTC_USDT-5m.json', missing);
    expect(caught(() => loadBarSeries(p3)).message).toBe(`${p3}:1: missing volume`);

    const nulls = `[[${T0}, 1, 1, null, 1, 1]]`;
    const p4 = tmp.write('BTC_USDT-5m.json', nulls);
    expect(caught(() => loadBarSeries(p4)).message).toBe(`${p4}:1: low null is not a number`);
  });

  it('reads JSON ISO times without an offset as UTC in any time zone, and refuses what is not ISO', () => {
    const candle = (time: string): string =>
      `{"timestamp": "${time}", "open": 1, "high": 1, "low": 1, "close": 1, "volume": 1}`;
    const iso = tmp.write(
      'BTC_USDT-1h.json',
      `[${candle('2024-03-01T10:00')},\n${candle('2024-03-01T11:00:00')},\n${candle('2024-03-01T13:00:00+01:00')}]`,
    );
    const expected = [Date.UTC(2024, 2, 1, 10), Date.UTC(2024, 2, 1, 11), Date.UTC(2024, 2, 1, 12)];
    const zone = process.env['TZ'];
    try {
      // Date.parse reads an offset-less time in the process's zone: the same file gave
      // other bars on a machine west or east of UTC.
      for (const tz of ['America/New_York', 'Asia/Tokyo', 'UTC']) {
        process.env['TZ'] = tz;
        expect(Array.from(loadBarSeries(iso).series.ts), tz).toEqual(expected);
      }
    } finally {
      if (zone === undefined) delete process.env['TZ'];
      else process.env['TZ'] = zone;
    }
    for (const bad of ['Mar 1 2024', '2024-02-30']) {
      const p = tmp.write('BTC_USDT-1d.json', `[${candle('2024-01-01')},\n${candle(bad)}]`);
      expect(caught(() => loadBarSeries(p)).message, bad).toBe(
        `${p}:2: bad timestamp "${bad}" (expected Unix ms or ISO-8601)`,
      );
    }
  });
});

describe('loadBarSeries: whole-file failures', () => {
  const tmp = tempFiles('load-format');
  afterAll(() => tmp.remove());

  it.each([
    ['empty file', '', 'empty file'],
    ['only whitespace', ' \n\r\n\t\n', 'empty file'],
    ['header only', `${HEADER}\n`, 'no data rows'],
    ['unknown header', 'time,price\n1,2\n', 'unknown header "time,price"'],
    ['invalid JSON', '[[1,2,3', 'not valid JSON'],
    ['JSON not an array', '{"a": 1}', 'expected a JSON array of candles'],
    ['empty JSON array', '[]', 'no data rows'],
  ])('%s → ERR_DATA_FORMAT', (_name, content, what) => {
    const path = tmp.write('X-5m.csv', content);
    const e = caught(() => loadBarSeries(path));
    expect(e.code).toBe('ERR_DATA_FORMAT');
    expect(e.message.startsWith(`${path}: `)).toBe(true);
    expect(e.message).toContain(what);
  });

  it('a JSON array of something else → ERR_DATA_PARSE', () => {
    const p2 = tmp.write('Y-5m.json', '[1, 2]');
    expect(caught(() => loadBarSeries(p2)).message).toBe(
      `${p2}:1: element [0]: expected a candle array or object, got number`,
    );
  });

  it('a bad candle of a minified JSON array is named by its index as well as its line', () => {
    const candles = Array.from({ length: 8 }, (_, k) => [T0 + k * 300_000, 10, 11, 9, 10.5, 100]);
    candles[5] = [T0 + 5 * 300_000, 10, 11, 12, 10.5, 100];
    const path = tmp.write('BTC_USDT-5m.json', JSON.stringify(candles));
    expect(caught(() => loadBarSeries(path)).message).toBe(`${path}:1: element [5]: low 12 is above open 10`);
  });

  it('adjusted prices on a file without Adj Close → ERR_DATA_FORMAT', () => {
    const path = tmp.write('BTC_USDT-5m.csv', `${HEADER}\n${row(0)}\n`);
    const e = caught(() => loadBarSeries(path, { adjusted: true }));
    expect(e.code).toBe('ERR_DATA_FORMAT');
    expect(e.message).toContain('Adj Close');
  });

  it('missing file → ERR_DATA_NOT_FOUND naming it', () => {
    const path = join(tmp.dir, 'nope-5m.csv');
    const e = caught(() => loadBarSeries(path));
    expect(e.code).toBe('ERR_DATA_NOT_FOUND');
    expect(e.message).toContain(path);
  });

  it('a directory given as the file → ERR_DATA_UNREADABLE naming it, for candles, trades and funding alike', () => {
    const dir = join(tmp.dir, 'A_DIR_USDT-5m.csv');
    mkdirSync(dir, { recursive: true });
    for (const load of [
      () => loadBarSeries(dir),
      () => loadTradesCsv(dir, 'BTC/USDT'),
      () => loadFundingRates(dir),
    ]) {
      const e = caught(load);
      expect(e.code).toBe('ERR_DATA_UNREADABLE');
      expect(e.message).toBe(`${dir}: is a directory, not a data file`);
    }
  });

  it('conflicting duplicates → ERR_DATA_DUPLICATE naming both lines, even when apart', () => {
    const path = tmp.write(
      'BTC_USDT-5m.csv',
      `${HEADER}\n${row(0)}\n${row(1)}\n${row(2)}\n${row(1, '10,11,9,10.6,100')}\n`,
    );
    const e = caught(() => loadBarSeries(path));
    expect(e.code).toBe('ERR_DATA_DUPLICATE');
    expect(e.message).toBe(
      `${path}:5: timestamp ${new Date(T0 + 300_000).toISOString()} also on line 3 with different values`,
    );
    expect(e.details).toEqual({ file: path, lines: [3, 5] });
  });

  it('bars closer than one timeframe → ERR_DATA_TIMEFRAME', () => {
    const path = tmp.write('BTC_USDT-5m.csv', `${HEADER}\n${row(0)}\n${T0 + 60_000},10,11,9,10.5,100\n`);
    const e = caught(() => loadBarSeries(path));
    expect(e.code).toBe('ERR_DATA_TIMEFRAME');
    expect(e.message).toContain(`${path}:3: bar at`);
    expect(e.message).toContain('60000 ms after the bar on line 2, less than one 5m bar');
    // The same file read as 1m is fine.
    expect(loadBarSeries(path, { timeframe: '1m' }).series.timeframe).toBe('1m');
  });

  it('an invalid timeframe option, or one bar and no timeframe → ERR_DATA_TIMEFRAME', () => {
    const path = tmp.write('data.csv', `${HEADER}\n${row(0)}\n`);
    expect(caught(() => loadBarSeries(path, { timeframe: '5x' })).code).toBe('ERR_DATA_TIMEFRAME');
    const e = caught(() => loadBarSeries(path));
    expect(e.code).toBe('ERR_DATA_TIMEFRAME');
    expect(e.message).toContain('cannot infer the timeframe from a single bar');
    expect(loadBarSeries(path, { timeframe: '5m' }).series.length).toBe(1);
  });

  it('a monthly file (calendar months) is named as such in its timeframe error', () => {
    // A Yahoo monthly download: the first of each month, 28 to 31 days apart (31 most common).
    const months = Array.from({ length: 12 }, (_, m) => `2023-${String(m + 1).padStart(2, '0')}-01`);
    const rows = months.map((d) => `${d},10,11,9,10.5,10.5,100`).join('\n');
    const path = tmp.write('ORCL-monthly.csv', `${YAHOO}\n${rows}\n`);
    const e = caught(() => loadBarSeries(path));
    expect(e.code).toBe('ERR_DATA_TIMEFRAME');
    expect(e.message).toContain('less than one 31d bar');
    expect(e.message).toContain('calendar months, which are not a supported timeframe');
    // Bars too close on a 5m file are no months: no such guess.
    const daily = tmp.write('BTC_USDT-5m.csv', `${HEADER}\n${row(0)}\n${T0 + 60_000},10,11,9,10.5,100\n`);
    expect(caught(() => loadBarSeries(daily)).message).not.toContain('months');
  });

  it('timestamps in Unix seconds are named as the likely cause of a timeframe error', () => {
    const secondsRow = (k: number): string => `${T0 / 1000 + k * 300},10,11,9,10.5,100`;
    const rows = [0, 1, 2].map(secondsRow).join('\n');
    const hint = 'the times fall in 1970-73: are the timestamps Unix seconds? They must be milliseconds';
    // Named for 5m: 300 "ms" apart is less than a 5m bar.
    const named = tmp.write('BTC_USDT-5m.csv', `${HEADER}\n${rows}\n`);
    expect(caught(() => loadBarSeries(named)).message).toContain(`less than one 5m bar; ${hint}`);
    // Unnamed: 300 ms is no timeframe.
    const unnamed = tmp.write('BTC_USDT.csv', `${HEADER}\n${rows}\n`);
    expect(caught(() => loadBarSeries(unnamed)).message).toContain(
      `spacing of the rows; put it in the file name`,
    );
    expect(caught(() => loadBarSeries(unnamed)).message).toContain(hint);
    // Milliseconds of today: no such guess.
    const ms = tmp.write('ETH_USDT-5m.csv', `${HEADER}\n${row(0)}\n${T0 + 60_000},10,11,9,10.5,100\n`);
    expect(caught(() => loadBarSeries(ms)).message).not.toContain('seconds');
  });
});

describe('loadBarSeries: repairs and warnings', () => {
  const tmp = tempFiles('load-warn');
  afterAll(() => tmp.remove());

  it('sorts unsorted rows and counts rows earlier than their predecessor', () => {
    const path = tmp.write(
      'BTC_USDT-5m.csv',
      [HEADER, row(3), row(0), row(1), row(5), row(4), row(2)].join('\n'),
    );
    const { series, warnings } = loadBarSeries(path);
    expect(Array.from(series.ts)).toEqual([0, 1, 2, 3, 4, 5].map((k) => T0 + k * 300_000));
    expect(warnings).toEqual([
      {
        code: 'DATA_UNSORTED',
        message: `${path}: 3 rows were earlier than the row before them; sorted by time`,
        count: 3,
      },
    ]);
  });

  it('drops exact duplicates (sorted or not) with a count', () => {
    const rows = [HEADER, row(0), row(1), row(1), row(2), row(0), row(1)];
    const path = tmp.write('BTC_USDT-5m.csv', rows.join('\n'));
    const { series, warnings } = loadBarSeries(path);
    expect(series.length).toBe(3);
    expect(warnings.map((w) => [w.code, w.count])).toEqual([
      ['DATA_UNSORTED', 1],
      ['DATA_DUPLICATES_DROPPED', 3],
    ]);
  });

  it('reports gaps with the count of missing bars and the largest gap, and off-grid spacing', () => {
    const rows = [
      HEADER,
      row(0),
      row(1),
      row(4),
      row(5),
      row(9),
      `${T0 + 9 * 300_000 + 450_000},10,11,9,10.5,100`,
    ];
    const path = tmp.write('BTC_USDT-5m.csv', rows.join('\n'));
    const { series, warnings } = loadBarSeries(path);
    expect(series.length).toBe(6);
    expect(warnings).toEqual([
      {
        code: 'DATA_GAPS',
        message: `${path}: 5 missing 5m bars in 2 gaps; the largest, 3 bars, after ${new Date(T0 + 5 * 300_000).toISOString()}`,
        count: 5,
      },
      {
        code: 'DATA_OFF_GRID',
        message: `${path}: 1 bar starts a fractional number of 5m bars after the previous one`,
        count: 1,
      },
    ]);
  });

  it('says a single missing bar in the singular, and one gap without a largest', () => {
    const one = tmp.write('ONE_USDT-5m.csv', [HEADER, row(0), row(2)].join('\n'));
    expect(loadBarSeries(one).warnings.map((w) => w.message)).toEqual([
      `${one}: 1 missing 5m bar in one gap after ${new Date(T0).toISOString()}`,
    ]);
    const wide = tmp.write('WIDE_USDT-5m.csv', [HEADER, row(0), row(1), row(5)].join('\n'));
    expect(loadBarSeries(wide).warnings.map((w) => w.message)).toEqual([
      `${wide}: 3 missing 5m bars in one gap after ${new Date(T0 + 300_000).toISOString()}`,
    ]);
  });

  it('tolerates a BOM, CRLF, blank lines, spaces, signs and exponents, and infers symbol and timeframe', () => {
    const text = `\uFEFF\n ${HEADER.toUpperCase()} \r\n${T0},1e1, +11 ,9.0,10.50,1.5E2\r\n\r\n${T0 + 3_600_000},10,11,9,10.5,0\r\n${T0 + 7_200_000},10,11,9,10.5,0`;
    const path = tmp.write('SOL_USDC.csv', text);
    const { series, warnings } = loadBarSeries(path);
    expect([series.symbol, series.timeframe, series.length]).toEqual(['SOL/USDC', '1h', 3]);
    expect([series.open[0], series.high[0], series.low[0], series.close[0], series.volume[0]]).toEqual([
      10, 11, 9, 10.5, 150,
    ]);
    expect(warnings).toEqual([]);
    const overridden = loadBarSeries(path, { symbol: 'SOL/USDC:USDC', timeframe: '30m' });
    expect([overridden.series.symbol, overridden.series.timeframe]).toEqual(['SOL/USDC:USDC', '30m']);
    expect(overridden.warnings.map((w) => [w.code, w.count])).toEqual([['DATA_GAPS', 2]]);
  });

  it('infers the timeframe from the most common spacing, not the first', () => {
    const rows = [HEADER, row(0), row(3), row(4), row(5), row(6)];
    const { series } = loadBarSeries(tmp.write('prices.csv', rows.join('\n')));
    expect([series.symbol, series.timeframe]).toEqual(['PRICES', '5m']);
  });
});

describe('loadBarSeries: column sizing', () => {
  const tmp = tempFiles('load-sizing');
  afterAll(() => tmp.remove());

  it('grows its columns when later rows are much shorter than the first ones', () => {
    const long =
      '10.000000000000001,11.000000000000002,9.0000000000000001,10.500000000000001,100.00000000000001';
    const rows = [HEADER];
    for (let k = 0; k < 3000; k++) rows.push(row(k, long));
    for (let k = 3000; k < 60_000; k++) rows.push(row(k, '1,1,1,1,0'));
    const { series, warnings } = loadBarSeries(tmp.write('BTC_USDT-5m.csv', rows.join('\n')));
    expect(warnings).toEqual([]);
    expect(series.length).toBe(60_000);
    expect(series.ts.length).toBe(60_000);
    expect(series.high[2999]).toBe(11.000000000000002);
    expect(series.close[59_999]).toBe(1);
    expect(series.ts[59_999]).toBe(T0 + 59_999 * 300_000);
  });
});
