import { afterAll, describe, expect, it } from 'vitest';
import { CandleCsvStream } from '../../src/data/CandleCsvStream.js';
import { loadBarSeries } from '../../src/data/loadBarSeries.js';
import type { BarSeries } from '../../src/model/BarSeries.js';
import { caught } from './caught.js';
import { tempFiles } from './tempFiles.js';
import { candleCsvText, WALK_T0, walkCandleRows } from '../support/walkCandleCsv.js';

const files = tempFiles('stream');
afterAll(() => files.remove());

const MINUTE = 60_000;
const T0 = WALK_T0;

/** `n` 1m rows (30k: about 2 MB, several of the thread's 1 MB chunks), a gap and a bar off the grid. */
function csv(n: number, edit: (rows: string[]) => void = () => {}): string {
  const rows = walkCandleRows(n, { gapAfter: 1000, offGridAfter: 2000 });
  edit(rows);
  return candleCsvText(rows);
}

async function streamed(path: string): Promise<{ stream: CandleCsvStream; series: BarSeries }> {
  const stream = CandleCsvStream.start(path, { minBytes: 0 });
  expect(stream).toBeDefined();
  const series = await (stream as CandleCsvStream).columns();
  expect(series).toBeDefined();
  return { stream: stream as CandleCsvStream, series: series as BarSeries };
}

describe('CandleCsvStream', () => {
  it('gives the whole-file load’s series and warnings, read by a second thread', async () => {
    const path = files.write('ETH_USDT-1m.csv', csv(30_000));
    const { stream, series } = await streamed(path);
    stream.awaitBars(series.length);
    const whole = loadBarSeries(path);
    expect(series.symbol).toBe('ETH/USDT');
    expect(series.timeframe).toBe('1m');
    expect(series.length).toBe(30_000);
    for (const k of ['ts', 'open', 'high', 'low', 'close', 'volume'] as const)
      expect(series[k]).toEqual(whole.series[k]);
    const warnings = stream.warnings();
    expect(warnings.map((w) => w.code).sort()).toEqual(['DATA_GAPS', 'DATA_OFF_GRID']);
    expect(warnings).toEqual(whole.warnings);
    stream.stop();
  });

  it('blocks until the rows asked for are in', async () => {
    const path = files.write('ARR_USDT-1m.csv', csv(30_000));
    const { stream, series } = await streamed(path);
    stream.awaitBars(1);
    expect(series.ts[0]).toBe(T0);
    stream.awaitBars(series.length);
    expect(series.ts[series.length - 1]).toBeGreaterThan(T0);
    stream.stop();
  });

  it.each([
    [
      'a row earlier than the one before it',
      (r: string[]) => r.splice(25_000, 2, r[25_001] as string, r[25_000] as string),
    ],
    ['a row repeated exactly', (r: string[]) => r.splice(25_000, 0, r[25_000] as string)],
    ['a malformed row', (r: string[]) => (r[25_000] = `${T0 + 25_000 * MINUTE},1,2,x,1,1`)],
    [
      'a bar closer than one timeframe',
      (r: string[]) => r.splice(25_000, 0, `${T0 + 25_003 * MINUTE + 1000},1,1,1,1,1`),
    ],
  ])('gives up on %s, for the whole-file load to repair or name', async (_, edit) => {
    const path = files.write('BAD_USDT-1m.csv', csv(30_000, edit));
    const { stream, series } = await streamed(path);
    const e = caught(() => stream.awaitBars(series.length));
    expect(e.code).toBe('ERR_DATA_STREAM_ABANDONED');
    expect(e.message).toContain('BAD_USDT-1m.csv');
  });

  it('does not stream what it cannot: small, JSON, Yahoo, no timeframe, missing', () => {
    const small = files.write('SMALL_USDT-1m.csv', csv(100));
    expect(CandleCsvStream.start(small)).toBeUndefined();
    const json = files.write('J_USDT-1m.json', JSON.stringify([[T0, 1, 1, 1, 1, 1]]));
    expect(CandleCsvStream.start(json, { minBytes: 0 })).toBeUndefined();
    const yahoo = files.write(
      'orcl-1m.csv',
      'Date,Open,High,Low,Close,Adj Close,Volume\n2024-01-02,1,1,1,1,1,1\n',
    );
    expect(CandleCsvStream.start(yahoo, { minBytes: 0 })).toBeUndefined();
    const unnamed = files.write('prices.csv', csv(100));
    expect(CandleCsvStream.start(unnamed, { minBytes: 0 })).toBeUndefined();
    expect(CandleCsvStream.start(`${files.dir}/NONE_USDT-1m.csv`, { minBytes: 0 })).toBeUndefined();
  });

  it('gives up before any row on a file with a header and nothing else', async () => {
    const path = files.write('EMPTY_USDT-1m.csv', 'timestamp,open,high,low,close,volume\n\n');
    const stream = CandleCsvStream.start(path, { minBytes: 0 });
    expect(await stream?.columns()).toBeUndefined();
  });
});
